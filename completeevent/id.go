package completeevent

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"time"
)

// The prefixes of the identifiers, one per kind of record.
const (
	PrefixOrganization    = "org"
	PrefixAPIKey          = "key"
	PrefixEvent           = "evt"
	PrefixTier            = "tier"
	PrefixRegistration    = "reg"
	PrefixAuctionItem     = "itm"
	PrefixBid             = "bid"
	PrefixWebhookEndpoint = "whe"
	PrefixWebhookMessage  = "msg"
	PrefixWebhookDelivery = "dlv"
	PrefixWebhookAttempt  = "att"
	PrefixEmail           = "eml"
	idTimestampBytes      = 6
	idRandomBytes         = 10
	idEncodedLength       = 26
)

// idEncoding is Crockford's base32 alphabet in lowercase: it sorts in
// byte order, so encoded ids sort like the bytes they encode.
var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a new identifier "<prefix>_<26 characters>": 48 bits of
// the time t in milliseconds, then 80 random bits from crypto/rand. Ids of
// one prefix sort by creation time to the millisecond; within one
// millisecond their order is random. NewID is safe for concurrent use.
func NewID(prefix string, t time.Time) string {
	var b [idTimestampBytes + idRandomBytes]byte
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(t.UnixMilli()))
	copy(b[:idTimestampBytes], ms[8-idTimestampBytes:])
	_, _ = rand.Read(b[idTimestampBytes:]) // crypto/rand.Read never fails
	return prefix + "_" + idEncoding.EncodeToString(b[:])
}

// ValidID reports whether id has the given prefix and the form NewID makes.
func ValidID(prefix, id string) bool {
	rest, ok := strings.CutPrefix(id, prefix+"_")
	if !ok || len(rest) != idEncodedLength {
		return false
	}
	_, err := idEncoding.DecodeString(rest)
	return err == nil
}

// NewToken returns an unguessable token of n random bytes from crypto/rand,
// encoded in lowercase base32 (n*8/5 characters rounded up) so that it is
// safe in URLs, e-mail and QR codes. Guide tokens and ticket codes use 20
// bytes (160 bits). NewToken is safe for concurrent use.
func NewToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return idEncoding.EncodeToString(b)
}

// ValidToken reports whether token has the form NewToken(n) makes.
func ValidToken(token string, n int) bool {
	if len(token) != idEncoding.EncodedLen(n) {
		return false
	}
	_, err := idEncoding.DecodeString(token)
	return err == nil
}
