package webhook_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/completeevent/completeevent-go/webhook"
)

// benchSizes are the body sizes of the benchmarks.
var benchSizes = []struct {
	name string
	size int
}{
	{"1KiB", 1 << 10},
	{"16KiB", 16 << 10},
	{"64KiB", 64 << 10},
}

// BenchmarkHMACFloor is the baseline of BenchmarkVerify: the least a
// verifier must do, written the obvious way with a fresh HMAC per call.
func BenchmarkHMACFloor(b *testing.B) {
	key := []byte(testSecret)
	for _, s := range benchSizes {
		body := paddedBody(s.size)
		sig := sign(testSecret, body)
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				mac := hmac.New(sha256.New, key)
				mac.Write(body)
				sum := mac.Sum(nil)
				want, err := hex.DecodeString(sig)
				if err != nil || !hmac.Equal(sum, want) {
					b.Fatal("signature mismatch")
				}
			}
		})
	}
}

// BenchmarkVerify measures Verify: signature and timestamp.
func BenchmarkVerify(b *testing.B) {
	v := newVerifier(testSecret)
	for _, s := range benchSizes {
		body := paddedBody(s.size)
		sig := sign(testSecret, body)
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := v.Verify(body, sig); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRequestFloor is the baseline of BenchmarkVerifyRequest: the
// floor plus the unavoidable read of the body into a buffer of its
// Content-Length.
func BenchmarkRequestFloor(b *testing.B) {
	key := []byte(testSecret)
	for _, s := range benchSizes {
		body := paddedBody(s.size)
		sig := sign(testSecret, body)
		r, rd := benchRequest(body, sig)
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(body)
				buf := make([]byte, r.ContentLength)
				if _, err := io.ReadFull(r.Body, buf); err != nil {
					b.Fatal(err)
				}
				mac := hmac.New(sha256.New, key)
				mac.Write(buf)
				sum := mac.Sum(nil)
				want, err := hex.DecodeString(r.Header.Get(webhook.HeaderSignature))
				if err != nil || !hmac.Equal(sum, want) {
					b.Fatal("signature mismatch")
				}
			}
		})
	}
}

// BenchmarkVerifyRequest measures VerifyRequest: bounded read, signature,
// timestamp and decoded event.
func BenchmarkVerifyRequest(b *testing.B) {
	v := newVerifier(testSecret)
	for _, s := range benchSizes {
		body := paddedBody(s.size)
		r, rd := benchRequest(body, sign(testSecret, body))
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(body)
				if _, err := v.VerifyRequest(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchRequest returns a signed request whose body reads from the returned
// reader, which each iteration resets.
func benchRequest(body []byte, sig string) (*http.Request, *bytes.Reader) {
	r := httptest.NewRequest(http.MethodPost, "/webhook", nil)
	rd := bytes.NewReader(body)
	r.Body = io.NopCloser(rd)
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Type", webhook.ContentType)
	r.Header.Set(webhook.HeaderSignature, sig)
	return r, rd
}
