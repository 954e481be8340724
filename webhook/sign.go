package webhook

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Signer signs a webhook body. The sending side depends on this interface;
// [HMACSigner] implements it. Implementations must be safe for concurrent
// use.
type Signer interface {
	// Sign returns the X-CompleteEvent-Signature value for payload.
	Sign(payload []byte) string
}

var _ Signer = (*HMACSigner)(nil)

// HMACSigner signs bodies with one endpoint secret, both ways the wire format
// defines: Sign for X-CompleteEvent-Signature and SignStandard for
// webhook-signature. Make it with NewSigner. It is safe for concurrent use.
type HMACSigner struct {
	key *hmacKey // the whole secret string, for Sign

	// std is the Standard Webhooks key, the decoded secret; nil, with
	// stdErr set, if the secret does not decode.
	std    *hmacKey
	stdErr error
}

// NewSigner returns a signer for secret, normally "whsec_" followed by the
// standard base64 of random bytes, as NewSecret makes. It panics if secret
// is empty: an empty key would let anyone forge signatures. A secret that is
// not in the "whsec_" form still signs with Sign; SignStandard then returns
// ErrInvalidSecret.
func NewSigner(secret string) *HMACSigner {
	if secret == "" {
		panic("webhook: NewSigner: empty secret")
	}
	s := &HMACSigner{key: newHMACKey([]byte(secret))}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	switch {
	case err != nil:
		s.stdErr = fmt.Errorf("%w: after %q: %v", ErrInvalidSecret, SecretPrefix, err)
	case len(key) == 0:
		s.stdErr = fmt.Errorf("%w: no key after %q", ErrInvalidSecret, SecretPrefix)
	default:
		s.std = newHMACKey(key)
	}
	return s
}

// Sign returns the lowercase hexadecimal HMAC-SHA256 of payload keyed with
// the bytes of the whole secret string: the X-CompleteEvent-Signature value,
// the same as
//
//	printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET"
//
// Sign is safe for concurrent use.
func (s *HMACSigner) Sign(payload []byte) string {
	st := s.key.get()
	st.h.Write(payload)
	var sig [2 * sha256.Size]byte
	hex.Encode(sig[:], st.finish())
	s.key.put(st)
	return string(sig[:])
}

// standardEntryLen is the length of one webhook-signature entry: "v1,"
// and the base64 of an HMAC-SHA256.
const standardEntryLen = len("v1,") + (sha256.Size+2)/3*4

// SignStandard returns this secret's entry of the Standard Webhooks
// webhook-signature header, "v1," followed by the standard base64
// HMAC-SHA256 of "{id}.{timestamp in Unix seconds}.{payload}" keyed with the
// base64-decoded part of the secret after "whsec_". It returns an error
// wrapping ErrInvalidSecret if that part does not decode. SignStandard is
// safe for concurrent use.
func (s *HMACSigner) SignStandard(id string, timestamp time.Time, payload []byte) (string, error) {
	var entry [standardEntryLen]byte
	b, err := s.appendStandard(entry[:0], standardPrefix(id, strconv.FormatInt(timestamp.Unix(), 10)), payload)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// standardPrefix returns what the Standard Webhooks signature covers before
// the payload: "{id}.{unix}.", unix being the timestamp in Unix seconds.
func standardPrefix(id, unix string) []byte {
	p := make([]byte, 0, len(id)+len(unix)+2)
	p = append(p, id...)
	p = append(p, '.')
	p = append(p, unix...)
	return append(p, '.')
}

// appendStandard appends to dst the webhook-signature entry of this secret
// for prefix (from standardPrefix) followed by payload.
func (s *HMACSigner) appendStandard(dst, prefix, payload []byte) ([]byte, error) {
	if s.std == nil {
		return dst, s.stdErr
	}
	st := s.std.get()
	st.h.Write(prefix)
	st.h.Write(payload)
	dst = append(dst, "v1,"...)
	dst = base64.StdEncoding.AppendEncode(dst, st.finish())
	s.std.put(st)
	return dst, nil
}

// SetHeaders sets on h every header of one delivery of body, an envelope
// that Encode made: Content-Type, User-Agent, X-CompleteEvent-Event,
// X-CompleteEvent-Id and X-CompleteEvent-Signature (signed by current), and
// the Standard Webhooks webhook-id, webhook-timestamp and webhook-signature,
// the last with one entry per signer, current first, so that receivers
// holding either secret verify it while a rotation overlaps. The id, type
// and timestamp come from body itself, so the headers cannot contradict it.
// The names are set in their canonical form, as Header.Set sets them.
//
// SetHeaders returns an error wrapping ErrMalformedPayload if body is not an
// envelope, or ErrInvalidSecret if a signer's secret cannot sign the
// Standard Webhooks way; h is left unchanged then. It is safe for concurrent
// use with distinct h.
func SetHeaders(h http.Header, body []byte, current *HMACSigner, previous ...*HMACSigner) error {
	ev, err := Decode(body)
	if err != nil {
		return err
	}
	unix := strconv.FormatInt(ev.Timestamp.Unix(), 10)
	prefix := standardPrefix(ev.ID, unix)
	signatures := make([]byte, 0, (1+len(previous))*(standardEntryLen+1))
	if signatures, err = current.appendStandard(signatures, prefix, body); err != nil {
		return err
	}
	for _, s := range previous {
		signatures = append(signatures, ' ')
		if signatures, err = s.appendStandard(signatures, prefix, body); err != nil {
			return err
		}
	}
	// One array holds the eight values. Each header gets a slice of it
	// whose capacity ends with its value, so that adding a value to one
	// header later copies it rather than overwrite the next one.
	v := []string{ContentType, UserAgent, ev.Type, ev.ID, current.Sign(body), ev.ID, unix, string(signatures)}
	h[canonicalContentType] = v[0:1:1]
	h[canonicalUserAgent] = v[1:2:2]
	h[canonicalEvent] = v[2:3:3]
	h[canonicalID] = v[3:4:4]
	h[canonicalSignature] = v[4:5:5]
	h[canonicalWebhookID] = v[5:6:6]
	h[canonicalWebhookTimestamp] = v[6:7:7]
	h[canonicalWebhookSignature] = v[7:8:8]
	return nil
}

// NewSecret returns a new endpoint secret: "whsec_" followed by the standard
// base64 of 24 bytes from crypto/rand, 38 characters in all. It is shown to
// the organizer once. NewSecret is safe for concurrent use.
func NewSecret() string {
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return SecretPrefix + base64.StdEncoding.EncodeToString(b[:])
}
