package webhook_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/completeevent/completeevent-go/webhook"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	body := validBody()
	good := sign(testSecret, body)
	at := func(d time.Duration) []byte { return envelopeAt(testNow().Add(d).Format(time.RFC3339)) }
	signed := func(b []byte) (string, []byte) { return sign(testSecret, b), b }

	tests := []struct {
		name    string
		payload []byte
		sig     string
		want    error // nil or the sentinel
	}{
		{"valid", body, good, nil},
		{"uppercase hex", body, strings.ToUpper(good), nil},
		{"empty signature", body, "", webhook.ErrMissingSignature},
		{"non-hex signature", body, strings.Repeat("zz", 32), webhook.ErrSignatureMismatch},
		{"short signature", body, good[:62], webhook.ErrSignatureMismatch},
		{"long signature", body, good + "00", webhook.ErrSignatureMismatch},
		{"prefixed signature", body, "sha256=" + good, webhook.ErrSignatureMismatch},
		{"one byte changed", bytes.Replace(body, []byte("whe_test"), []byte("whe_tesT"), 1), good, webhook.ErrSignatureMismatch},
		{"whitespace added", bytes.Replace(body, []byte(`,"event"`), []byte(`, "event"`), 1), good, webhook.ErrSignatureMismatch},
		{"keys reordered", []byte(`{"event":"ping","id":"msg_test1","timestamp":"2026-04-15T14:32:00Z","data":{"endpointId":"whe_test"}}`), good, webhook.ErrSignatureMismatch},
		{"other secret", body, sign(otherSecret, body), webhook.ErrSignatureMismatch},
		{"signed with trailing newline", body, sign(testSecret, append(bytes.Clone(body), '\n')), webhook.ErrSignatureMismatch},
		{"received with trailing newline", append(bytes.Clone(body), '\n'), good, webhook.ErrSignatureMismatch},
		{"signature of the empty body", body, sign(testSecret, nil), webhook.ErrSignatureMismatch},
		{"4 minutes old", func() []byte { return at(-4 * time.Minute) }(), sign(testSecret, at(-4*time.Minute)), nil},
		{"5 minutes old", at(-5 * time.Minute), sign(testSecret, at(-5*time.Minute)), nil},
		{"5 minutes 1 second old", at(-5*time.Minute - time.Second), sign(testSecret, at(-5*time.Minute-time.Second)), webhook.ErrTimestampOutsideTolerance},
		{"6 minutes old", at(-6 * time.Minute), sign(testSecret, at(-6*time.Minute)), webhook.ErrTimestampOutsideTolerance},
		{"6 minutes in the future", at(6 * time.Minute), sign(testSecret, at(6*time.Minute)), webhook.ErrTimestampOutsideTolerance},
		{"4 minutes in the future", at(4 * time.Minute), sign(testSecret, at(4*time.Minute)), nil},
	}
	for _, c := range []struct {
		name string
		body string
	}{
		{"timestamp missing", `{"id":"msg_test1","event":"ping","data":{}}`},
		{"timestamp not RFC 3339", `{"id":"msg_test1","event":"ping","timestamp":"2026-04-15 14:32:00","data":{}}`},
		{"timestamp without zone", `{"id":"msg_test1","event":"ping","timestamp":"2026-04-15T14:32:00","data":{}}`},
		{"timestamp in Unix seconds", `{"id":"msg_test1","event":"ping","timestamp":1776263520,"data":{}}`},
		{"timestamp null", `{"id":"msg_test1","event":"ping","timestamp":null,"data":{}}`},
		{"timestamp only inside data", `{"id":"msg_test1","event":"ping","data":{"timestamp":"2026-04-15T14:32:00Z"}}`},
		{"timestamp twice", `{"id":"msg_test1","event":"ping","timestamp":"2026-04-15T14:32:00Z","timestamp":"2026-04-15T14:32:00Z","data":{}}`},
		{"not JSON", `id=msg_test1&event=ping&timestamp=2026-04-15T14:32:00Z`},
		{"empty body", ``},
		{"JSON array", `[{"id":"msg_test1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{}}]`},
		{"JSON string", `"{\"id\":\"msg_test1\",\"event\":\"ping\",\"timestamp\":\"2026-04-15T14:32:00Z\",\"data\":{}}"`},
		{"JSON null", `null`},
		{"truncated", `{"id":"msg_test1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{}`},
		{"id missing", `{"event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{}}`},
		{"event missing", `{"id":"msg_test1","timestamp":"2026-04-15T14:32:00Z","data":{}}`},
		{"data missing", `{"id":"msg_test1","event":"ping","timestamp":"2026-04-15T14:32:00Z"}`},
		{"data not an object", `{"id":"msg_test1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":[]}`},
	} {
		sig, b := signed([]byte(c.body))
		tests = append(tests, struct {
			name    string
			payload []byte
			sig     string
			want    error
		}{c.name, b, sig, webhook.ErrMalformedPayload})
	}

	v := newVerifier(testSecret)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := v.Verify(tt.payload, tt.sig)
			checkErr(t, err, tt.want)
		})
	}
}

// checkErr fails t unless err is nil when want is, and matches want
// otherwise.
func checkErr(t *testing.T, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("got error %v, want nil", err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want one matching %v", err, want)
	}
}

func TestVerifyTolerance(t *testing.T) {
	t.Parallel()
	old := envelopeAt(testNow().Add(-time.Hour).Format(time.RFC3339))
	sig := sign(testSecret, old)
	tests := []struct {
		name      string
		tolerance time.Duration
		want      error
	}{
		{"default refuses an hour", 0, webhook.ErrTimestampOutsideTolerance},
		{"two hours accept an hour", 2 * time.Hour, nil},
		{"a minute refuses an hour", time.Minute, webhook.ErrTimestampOutsideTolerance},
		{"negative disables the check", -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := newVerifier(testSecret)
			v.Tolerance = tt.tolerance
			checkErr(t, v.Verify(old, sig), tt.want)
		})
	}
}

func TestVerifyRotation(t *testing.T) {
	t.Parallel()
	body := validBody()
	tests := []struct {
		name     string
		secrets  []string
		signWith string
		want     error
	}{
		{"current secret", []string{testSecret, otherSecret}, testSecret, nil},
		{"previous secret", []string{testSecret, otherSecret}, otherSecret, nil},
		{"previous secret after rotation ended", []string{testSecret}, otherSecret, webhook.ErrSignatureMismatch},
		{"empty previous ignored", []string{testSecret, ""}, testSecret, nil},
		{"third secret", []string{testSecret, "whsec_a", otherSecret}, otherSecret, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := newVerifier(tt.secrets[0], tt.secrets[1:]...)
			sig := sign(tt.signWith, body)
			checkErr(t, v.Verify(body, sig), tt.want)
			_, err := v.VerifyRequest(signedRequest(body, sig))
			checkErr(t, err, tt.want)
		})
	}
}

func TestVerifierZeroValueRefuses(t *testing.T) {
	t.Parallel()
	var v webhook.HMACVerifier
	body := validBody()
	checkErr(t, v.Verify(body, sign(testSecret, body)), webhook.ErrSignatureMismatch)
	_, err := v.VerifyRequest(signedRequest(body, sign(testSecret, body)))
	checkErr(t, err, webhook.ErrSignatureMismatch)
}

func TestNewVerifierPanicsOnEmptySecret(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Fatal("got no panic, want one")
		}
	}()
	webhook.NewVerifier("", testSecret)
}

func TestVerifyRequest(t *testing.T) {
	t.Parallel()
	body := validBody()
	good := sign(testSecret, body)
	tests := []struct {
		name string
		req  func() *http.Request
		want error
	}{
		{"valid", func() *http.Request { return signedRequest(body, good) }, nil},
		{"missing header", func() *http.Request { return signedRequest(body, "") }, webhook.ErrMissingSignature},
		{"empty header", func() *http.Request {
			r := signedRequest(body, "")
			r.Header[http.CanonicalHeaderKey(webhook.HeaderSignature)] = []string{""}
			return r
		}, webhook.ErrMissingSignature},
		{"signature in another header", func() *http.Request {
			r := signedRequest(body, "")
			r.Header.Set("X-Signature", good)
			return r
		}, webhook.ErrMissingSignature},
		{"non-hex signature", func() *http.Request { return signedRequest(body, strings.Repeat("g", 64)) }, webhook.ErrSignatureMismatch},
		{"wrong-length signature", func() *http.Request { return signedRequest(body, good[:40]) }, webhook.ErrSignatureMismatch},
		{"other body", func() *http.Request {
			return signedRequest(bytes.Replace(body, []byte("msg_test1"), []byte("msg_test2"), 1), good)
		}, webhook.ErrSignatureMismatch},
		{"other secret", func() *http.Request { return signedRequest(body, sign(otherSecret, body)) }, webhook.ErrSignatureMismatch},
		{"trailing newline", func() *http.Request { return signedRequest(append(bytes.Clone(body), '\n'), good) }, webhook.ErrSignatureMismatch},
		{"no body", func() *http.Request {
			r := signedRequest(nil, good)
			r.Body = nil
			return r
		}, webhook.ErrMalformedPayload},
		{"stale", func() *http.Request {
			b := envelopeAt(testNow().Add(-6 * time.Minute).Format(time.RFC3339))
			return signedRequest(b, sign(testSecret, b))
		}, webhook.ErrTimestampOutsideTolerance},
		{"future", func() *http.Request {
			b := envelopeAt(testNow().Add(6 * time.Minute).Format(time.RFC3339))
			return signedRequest(b, sign(testSecret, b))
		}, webhook.ErrTimestampOutsideTolerance},
		{"not an object", func() *http.Request {
			b := []byte(`["ping"]`)
			return signedRequest(b, sign(testSecret, b))
		}, webhook.ErrMalformedPayload},
		{"id header contradicts body", func() *http.Request {
			r := signedRequest(body, good)
			r.Header.Set(webhook.HeaderID, "msg_other")
			return r
		}, webhook.ErrMalformedPayload},
		{"event header contradicts body", func() *http.Request {
			r := signedRequest(body, good)
			r.Header.Set(webhook.HeaderEvent, webhook.EventTypeRegistrationConfirmed)
			return r
		}, webhook.ErrMalformedPayload},
		{"matching id and event headers", func() *http.Request {
			r := signedRequest(body, good)
			r.Header.Set(webhook.HeaderID, "msg_test1")
			r.Header.Set(webhook.HeaderEvent, webhook.EventTypePing)
			return r
		}, nil},
		{"large body, buffer grown past the preallocation", func() *http.Request {
			b := paddedBody(300 << 10)
			r := signedRequest(b, sign(testSecret, b))
			r.Header.Set(webhook.HeaderID, "msg_01jrv6m3c0a8yq7e9t4w2k5n1p")
			return r
		}, nil},
		{"Content-Length over the cap", func() *http.Request {
			r := signedRequest(body, good)
			r.ContentLength = webhook.DefaultMaxBodyBytes + 1
			return r
		}, webhook.ErrBodyTooLarge},
		{"read error", func() *http.Request {
			r := signedRequest(body, good)
			r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body[:10]), errReader{}))
			r.ContentLength = -1
			return r
		}, errRead},
	}
	v := newVerifier(testSecret)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := v.VerifyRequest(tt.req())
			checkErr(t, err, tt.want)
			if err != nil {
				return
			}
			if ev.ID == "msg_01jrv6m3c0a8yq7e9t4w2k5n1p" && ev.Type == webhook.EventTypeRegistrationConfirmed {
				return // the large body
			}
			want := webhook.Event{ID: "msg_test1", Type: webhook.EventTypePing, Timestamp: testNow(), Data: []byte(`{"endpointId":"whe_test"}`)}
			if diff := cmp.Diff(want, ev); diff != "" {
				t.Errorf("event mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// errRead is the error errReader returns.
var errRead = errors.New("connection reset")

// errReader fails every read.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errRead }

// countingReader produces an endless JSON-looking stream and counts what
// was read from it.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	c.n += int64(len(p))
	return len(p), nil
}

func TestVerifyRequestBodyOverCapIsStreamed(t *testing.T) {
	t.Parallel()
	const limit = 64 << 10
	tests := []struct {
		name          string
		contentLength int64
		maxRead       int64
	}{
		{"unknown length", -1, limit + 1},
		{"declared length over the cap", limit + 1, 0},
		{"declared length under the cap, longer body", 100, limit + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := newVerifier(testSecret)
			v.MaxBodyBytes = limit
			src := &countingReader{}
			r := httptest.NewRequest(http.MethodPost, "/webhook", nil)
			r.Body = io.NopCloser(src)
			r.ContentLength = tt.contentLength
			r.Header.Set(webhook.HeaderSignature, strings.Repeat("0", 64))
			_, err := v.VerifyRequest(r)
			checkErr(t, err, webhook.ErrBodyTooLarge)
			if src.n > tt.maxRead {
				t.Errorf("got %d bytes read, want at most %d", src.n, tt.maxRead)
			}
		})
	}
}

func TestVerifyRequestMaxBytesReader(t *testing.T) {
	t.Parallel()
	body := validBody()
	r := signedRequest(body, sign(testSecret, body))
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 10)
	r.ContentLength = -1
	_, err := newVerifier(testSecret).VerifyRequest(r)
	checkErr(t, err, webhook.ErrBodyTooLarge)
}

func TestVerifyRequestBodyAtCap(t *testing.T) {
	t.Parallel()
	body := validBody()
	tests := []struct {
		name     string
		max      int64
		chunked  bool
		wantFail bool
	}{
		{"exactly the cap", int64(len(body)), false, false},
		{"exactly the cap, unknown length", int64(len(body)), true, false},
		{"one byte over", int64(len(body)) - 1, false, true},
		{"one byte over, unknown length", int64(len(body)) - 1, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := newVerifier(testSecret)
			v.MaxBodyBytes = tt.max
			r := signedRequest(body, sign(testSecret, body))
			if tt.chunked {
				r.Body = io.NopCloser(iotestOneByte(body))
				r.ContentLength = -1
			}
			_, err := v.VerifyRequest(r)
			if tt.wantFail {
				checkErr(t, err, webhook.ErrBodyTooLarge)
			} else {
				checkErr(t, err, nil)
			}
		})
	}
}

// iotestOneByte returns a reader of b that returns one byte per read, to
// exercise the buffer growth of VerifyRequest.
func iotestOneByte(b []byte) io.Reader {
	return &oneByteReader{b: b}
}

type oneByteReader struct{ b []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.b[0]
	r.b = r.b[1:]
	return 1, nil
}

func TestVerifyAllocationsDoNotGrowWithBody(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	v := newVerifier(testSecret)
	allocs := func(size int) float64 {
		body := paddedBody(size)
		sig := sign(testSecret, body)
		if err := v.Verify(body, sig); err != nil {
			t.Fatalf("Verify: got error %v, want nil", err)
		}
		return testing.AllocsPerRun(100, func() { _ = v.Verify(body, sig) })
	}
	small, large := allocs(1<<10), allocs(64<<10)
	if small != large || small > 1 {
		t.Errorf("got %v allocations at 1 KiB and %v at 64 KiB, want the same, at most 1", small, large)
	}
}

func TestVerifyRequestAllocationsDoNotGrowWithBody(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	v := newVerifier(testSecret)
	allocs := func(size int) float64 {
		body := paddedBody(size)
		r := signedRequest(body, sign(testSecret, body))
		rd := bytes.NewReader(body)
		r.Body = io.NopCloser(rd)
		return testing.AllocsPerRun(100, func() {
			rd.Reset(body)
			if _, err := v.VerifyRequest(r); err != nil {
				t.Fatalf("VerifyRequest: got error %v, want nil", err)
			}
		})
	}
	small, large := allocs(1<<10), allocs(64<<10)
	if small != large {
		t.Errorf("got %v allocations at 1 KiB and %v at 64 KiB, want the same", small, large)
	}
}

// paddedBody returns a canonical registration.confirmed body of about size
// bytes, signed at testNow, whose data carries an array of answers.
func paddedBody(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"id":"msg_01jrv6m3c0a8yq7e9t4w2k5n1p","event":"registration.confirmed","timestamp":"2026-04-15T14:32:00Z","data":{"registrationId":"reg_01jrv6m3c0a8yq7e9t4w2k5n1p","eventId":"evt_01jrv6m3c0a8yq7e9t4w2k5n1p","email":"attendee@example.com","firstName":"Alex","lastName":"Smith","tierId":"tier_01jrv6m3c0a8yq7e9t4w2k5n1p","tierName":"Early bird","virtual":false,"amount":2500,"currency":"EUR","confirmedAt":"2026-04-15T14:31:58Z","answers":[`)
	for i := 0; b.Len() < size-60; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"question":"Dietary needs?","answer":"None, thanks"}`)
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}
