package qrcode

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"

	qr "github.com/skip2/go-qrcode"
)

// QuietZone is the white border around the code, in modules, that the QR
// specification requires so that a reader finds the code.
const QuietZone = 4

// The sentinel errors of package qrcode, matched with [errors.Is].
var (
	// ErrEmptyText means there is nothing to encode.
	ErrEmptyText = errors.New("qrcode: empty text")

	// ErrTextTooLong means the text does not fit in the largest QR code
	// (version 40) at medium error correction: about 2,300 bytes.
	ErrTextTooLong = errors.New("qrcode: text too long")

	// ErrSizeTooSmall means the image cannot give each module, quiet zone
	// included, at least one pixel.
	ErrSizeTooSmall = errors.New("qrcode: size too small")
)

// PNG returns a PNG image, size × size pixels, black on white, of a QR code
// holding text at medium error correction (level M: about 15% of the code
// may be damaged and it still reads), with a quiet zone of at least
// QuietZone modules. Each module is a whole number of pixels; the pixels
// that a whole number does not fill widen the white border. size must be at
// least the code's width in modules, quiet zone included (29 for a short
// text, 33 for a URL of about 30 characters, more for longer texts); 200 or
// more suits a screen or print.
//
// It returns an error matching ErrEmptyText, ErrTextTooLong or
// ErrSizeTooSmall. It is safe for concurrent use.
func PNG(text string, size int) ([]byte, error) {
	if text == "" {
		return nil, ErrEmptyText
	}
	code, err := qr.New(text, qr.Medium)
	if err != nil {
		return nil, fmt.Errorf("%w: %d bytes: %v", ErrTextTooLong, len(text), err)
	}
	code.DisableBorder = true
	modules := code.Bitmap()
	n := len(modules) + 2*QuietZone
	if size < n {
		return nil, fmt.Errorf("%w: %d pixels for a code %d modules wide", ErrSizeTooSmall, size, n)
	}
	scale := size / n
	offset := (size - len(modules)*scale) / 2

	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	for y, row := range modules {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := range scale {
				line := img.Pix[img.PixOffset(offset+x*scale, offset+y*scale+dy):]
				for dx := range scale {
					line[dx] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qrcode: encode png: %w", err)
	}
	return buf.Bytes(), nil
}
