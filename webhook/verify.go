package webhook

import (
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"
)

// The defaults of the HMACVerifier fields.
const (
	// DefaultTolerance is how far the signed timestamp may be from the
	// verifier's clock, each way, when Tolerance is zero.
	DefaultTolerance = 5 * time.Minute
	// DefaultMaxBodyBytes caps the body VerifyRequest reads when
	// MaxBodyBytes is zero: 1 MiB.
	DefaultMaxBodyBytes = 1 << 20
)

// Verifier checks that a webhook came from CompleteEvent. Code that receives
// webhooks can depend on this interface, and fake it in tests;
// [HMACVerifier] implements it. Implementations must be safe for concurrent
// use.
type Verifier interface {
	// Verify checks payload against signature, then the signed timestamp.
	Verify(payload []byte, signature string) error
	// VerifyRequest reads and verifies r and returns its decoded event.
	VerifyRequest(r *http.Request) (Event, error)
}

var _ Verifier = (*HMACVerifier)(nil)

// HMACVerifier verifies the X-CompleteEvent-Signature of webhooks with one
// or more secrets. Make it with NewVerifier, then set the exported fields,
// if at all, before its first use; do not change them while it is in use.
// The zero value has no secret and refuses everything with
// ErrSignatureMismatch. An HMACVerifier is safe for concurrent use.
type HMACVerifier struct {
	// Tolerance is how far the signed timestamp may be from Now, in the
	// past or in the future. Zero means DefaultTolerance (5 minutes); a
	// negative value disables the check, which leaves replays possible.
	Tolerance time.Duration

	// MaxBodyBytes caps the body that VerifyRequest reads; a longer body is
	// refused with ErrBodyTooLarge after reading at most one byte more.
	// Zero or negative means DefaultMaxBodyBytes (1 MiB).
	MaxBodyBytes int64

	// Now is the clock against which timestamps are checked. Nil means
	// time.Now.
	Now func() time.Time

	keys []*hmacKey
}

// NewVerifier returns a verifier that accepts signatures made with secret
// or any of previous, the secrets still valid while a rotation overlaps.
// Empty previous secrets are ignored, so an unset optional secret can be
// passed as is; so are repeated ones. NewVerifier panics if secret is
// empty: an empty key would let anyone forge signatures.
func NewVerifier(secret string, previous ...string) *HMACVerifier {
	if secret == "" {
		panic("webhook: NewVerifier: empty secret")
	}
	v := &HMACVerifier{}
	seen := make(map[string]bool, 1+len(previous))
	for _, s := range append([]string{secret}, previous...) {
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		v.keys = append(v.keys, newHMACKey([]byte(s)))
	}
	return v
}

// Verify checks that signature, an X-CompleteEvent-Signature value
// (hexadecimal in either case), is the HMAC-SHA256 of payload under one of
// the verifier's secrets, comparing in constant time; then that payload is
// an envelope whose signed timestamp lies within Tolerance of Now. It reads
// the timestamp without decoding the data, so it costs about as much as the
// HMAC; see Decode for what it accepts.
//
// Verify returns nil, or an error wrapping ErrMissingSignature,
// ErrSignatureMismatch, ErrMalformedPayload or ErrTimestampOutsideTolerance.
// It allocates nothing when it accepts, and is safe for concurrent use.
func (v *HMACVerifier) Verify(payload []byte, signature string) error {
	var want [32]byte
	if err := decodeSignature(&want, signature); err != nil {
		return err
	}
	matched := false
	for _, k := range v.keys {
		st := k.get()
		st.h.Write(payload)
		matched = hmac.Equal(st.finish(), want[:])
		k.put(st)
		if matched {
			break
		}
	}
	if !matched {
		return v.mismatch()
	}
	env, err := parseEnvelope(payload)
	if err != nil {
		return err
	}
	return v.checkTimestamp(env.timestamp)
}

// VerifyRequest reads the body of r, an incoming webhook, and returns its
// event once the body is verified as Verify does, against the
// X-CompleteEvent-Signature header. It refuses a missing signature before
// reading, and a body longer than MaxBodyBytes as soon as the length is
// known, without reading the rest. It hashes the body while reading it, into
// one buffer sized from Content-Length when the request has one (up to
// 64 KiB before the bytes arrive; a larger body grows it). The
// X-CompleteEvent-Id and X-CompleteEvent-Event headers, when present, must
// equal the signed id and type.
//
// VerifyRequest consumes r.Body and does not close it (the http.Server
// does). It returns the event, or an error wrapping ErrMissingSignature,
// ErrSignatureMismatch, ErrBodyTooLarge, ErrMalformedPayload,
// ErrTimestampOutsideTolerance, or the error reading the body. It is safe
// for concurrent use.
func (v *HMACVerifier) VerifyRequest(r *http.Request) (Event, error) {
	ev, _, err := v.verifyRequest(r)
	return ev, err
}

// verifyRequest is VerifyRequest that also returns the body.
func (v *HMACVerifier) verifyRequest(r *http.Request) (Event, []byte, error) {
	var want [32]byte
	if err := decodeSignature(&want, headerValue(r.Header, canonicalSignature)); err != nil {
		return Event{}, nil, err
	}
	if len(v.keys) == 0 {
		return Event{}, nil, v.mismatch()
	}
	body, matched, err := v.readAndHash(r, &want)
	if err != nil {
		return Event{}, nil, err
	}
	if !matched {
		return Event{}, nil, v.mismatch()
	}
	env, err := parseEnvelope(body)
	if err != nil {
		return Event{}, nil, err
	}
	if err := v.checkTimestamp(env.timestamp); err != nil {
		return Event{}, nil, err
	}
	ev, err := env.event()
	if err != nil {
		return Event{}, nil, err
	}
	if id := headerValue(r.Header, canonicalID); id != "" && id != ev.ID {
		return Event{}, nil, malformed("header %s %q differs from the signed id %q", HeaderID, id, ev.ID)
	}
	if typ := headerValue(r.Header, canonicalEvent); typ != "" && typ != ev.Type {
		return Event{}, nil, malformed("header %s %q differs from the signed event %q", HeaderEvent, typ, ev.Type)
	}
	return ev, body, nil
}

// headerValue returns the first value of the header whose canonical name is
// key, like http.Header.Get.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// readChunk bounds each read, so that the bytes just read are hashed while
// they are still in the cache.
const readChunk = 32 << 10

// maxPrealloc bounds the buffer VerifyRequest allocates from Content-Length
// before reading: 64 KiB and the byte that shows EOF.
const maxPrealloc = 64<<10 + 1

// readAndHash reads the body of r, at most MaxBodyBytes, feeding every chunk
// to one HMAC state per secret as it arrives, and reports whether one of the
// sums equals want.
func (v *HMACVerifier) readAndHash(r *http.Request, want *[32]byte) ([]byte, bool, error) {
	limit := v.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	limit = min(limit, math.MaxInt-1) // so that limit+1 is an int
	if r.ContentLength > limit {
		return nil, false, fmt.Errorf("%w: Content-Length %d exceeds %d bytes", ErrBodyTooLarge, r.ContentLength, limit)
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, false, malformed("empty body")
	}
	// One state per secret, on the stack for the usual one or two.
	var stack [4]*macState
	states := stack[:0]
	for _, k := range v.keys {
		states = append(states, k.get())
	}
	defer func() {
		for i, st := range states {
			v.keys[i].put(st)
		}
	}()

	// With a Content-Length the buffer is allocated once, one byte longer
	// so that the final read sees EOF without growing it; but not more
	// than maxPrealloc before the bytes arrive, so that a client declaring
	// a large body and sending nothing ties up little memory.
	size := int64(512)
	if r.ContentLength > 0 {
		size = r.ContentLength + 1
	}
	buf := make([]byte, 0, min(size, limit+1, maxPrealloc))
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Body.Read(buf[len(buf):min(cap(buf), len(buf)+readChunk, int(limit+1))])
		if n > 0 {
			if int64(len(buf)+n) > limit {
				return nil, false, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, limit)
			}
			for _, st := range states {
				st.h.Write(buf[len(buf) : len(buf)+n])
			}
			buf = buf[:len(buf)+n]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return nil, false, fmt.Errorf("%w: %v", ErrBodyTooLarge, err)
			}
			return nil, false, fmt.Errorf("webhook: reading body: %w", err)
		}
	}
	matched := false
	for _, st := range states {
		if hmac.Equal(st.finish(), want[:]) {
			matched = true
		}
	}
	return buf, matched, nil
}

// decodeSignature decodes sig, 64 hexadecimal digits in either case, into
// dst.
func decodeSignature(dst *[32]byte, sig string) error {
	if sig == "" {
		return ErrMissingSignature
	}
	if len(sig) != 2*len(dst) {
		return fmt.Errorf("%w: signature has %d characters, want %d hexadecimal digits", ErrSignatureMismatch, len(sig), 2*len(dst))
	}
	var src [64]byte
	copy(src[:], sig)
	if _, err := hex.Decode(dst[:], src[:]); err != nil {
		return fmt.Errorf("%w: signature is not hexadecimal", ErrSignatureMismatch)
	}
	return nil
}

// mismatch returns the error for a signature that no secret made.
func (v *HMACVerifier) mismatch() error {
	if len(v.keys) == 0 {
		return fmt.Errorf("%w: the verifier has no secret", ErrSignatureMismatch)
	}
	return ErrSignatureMismatch
}

// checkTimestamp checks ts against the verifier's clock and tolerance.
func (v *HMACVerifier) checkTimestamp(ts time.Time) error {
	tol := v.Tolerance
	if tol < 0 {
		return nil
	}
	if tol == 0 {
		tol = DefaultTolerance
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	t := now()
	if d := t.Sub(ts); d > tol || d < -tol {
		return fmt.Errorf("%w: timestamp %s is %s from now (%s), more than %s",
			ErrTimestampOutsideTolerance, ts.UTC().Format(time.RFC3339), d.Abs().Round(time.Millisecond), t.UTC().Format(time.RFC3339), tol)
	}
	return nil
}
