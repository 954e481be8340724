// Package qrcode draws QR codes as PNG images: the ticket code in the
// confirmation e-mail and on the event guide page.
//
// It wraps github.com/skip2/go-qrcode, which encodes (all 40 versions, mask
// selection, Reed-Solomon error correction), and draws the modules itself
// so that every module is a whole number of pixels wide: a crisp code that
// phone cameras read at any size.
package qrcode
