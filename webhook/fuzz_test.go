package webhook_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/completeevent/completeevent-go/webhook"
)

// fuzzSeeds are bodies that start the fuzzers near the interesting cases.
func fuzzSeeds() [][]byte {
	return [][]byte{
		validBody(),
		paddedBody(300),
		[]byte(kaBody),
		[]byte(`{"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{}}`),
		[]byte(" {\"id\" : \"m\\u0073g\" , \"event\":\"ping\",\"x\":[1,-2.5e3,true,null,{\"a\":\"\\\"\"}],\"timestamp\":\"2026-04-15T16:32:00.5+02:00\",\"d\\u0061ta\":{\"k\":[]} }\n"),
		[]byte(`{"id":"msg_1","event":"ping","data":{},"timestamp":"2026-04-15T14:32:00Z"}`),
		[]byte(`{"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{},"data":{}}`),
		[]byte(`{"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","timestamp":"2026-04-15T14:32:00Z","data":{}}`),
		[]byte(`{"id":"\ud800","event":"\xff","timestamp":"2026-04-15T14:32:00Z","data":{"a":"\u00e9"}}`),
		[]byte(`[]`),
		[]byte(`{`),
		[]byte(``),
	}
}

// FuzzVerify checks that Verify never panics, never accepts a signature
// other than the HMAC of the very bytes, accepts the right signature exactly
// when the body is an envelope, and agrees with VerifyRequest.
func FuzzVerify(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s, s[:len(s)/2], sign(testSecret, s))
		f.Add(s, append(bytes.Clone(s), '\n'), strings.ToUpper(sign(testSecret, s)))
	}
	signer := webhook.NewSigner(testSecret)
	lax := webhook.NewVerifier(testSecret)
	lax.Tolerance = -1
	strict := newVerifier(testSecret, otherSecret)
	f.Fuzz(func(t *testing.T, body, other []byte, sig string) {
		good := signer.Sign(body)

		if err := lax.Verify(body, sig); err == nil && !strings.EqualFold(sig, good) {
			t.Fatalf("Verify accepted signature %q for %q, want only %q", sig, body, good)
		}
		if !bytes.Equal(body, other) {
			if err := lax.Verify(body, signer.Sign(other)); err == nil {
				t.Fatalf("Verify accepted the signature of %q for %q", other, body)
			}
		}

		errVerify := lax.Verify(body, good)
		_, errDecode := webhook.Decode(body)
		if (errVerify == nil) != (errDecode == nil) {
			t.Fatalf("Verify: got %v; Decode: got %v; want both nil or both errors", errVerify, errDecode)
		}
		if errVerify != nil && !errors.Is(errVerify, webhook.ErrMalformedPayload) {
			t.Fatalf("Verify with the right signature: got %v, want nil or ErrMalformedPayload", errVerify)
		}

		err := strict.Verify(body, good)
		if err != nil && !errors.Is(err, webhook.ErrMalformedPayload) && !errors.Is(err, webhook.ErrTimestampOutsideTolerance) {
			t.Fatalf("strict Verify: got %v, want nil, ErrMalformedPayload or ErrTimestampOutsideTolerance", err)
		}
		_, errRequest := strict.VerifyRequest(signedRequest(body, good))
		if (err == nil) != (errRequest == nil) || err != nil && webhook.StatusCode(err) != webhook.StatusCode(errRequest) {
			t.Fatalf("Verify: got %v; VerifyRequest: got %v; want the same outcome", err, errRequest)
		}
	})
}

// FuzzDecode checks Decode against a reference built on encoding/json: it
// never panics, refuses only with ErrMalformedPayload, accepts every
// envelope the reference accepts with the same result, and whenever the
// data it returns is valid JSON, the reference accepts the body too.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := webhook.Decode(body)
		want, refErr := referenceDecode(body)
		if err != nil {
			if !errors.Is(err, webhook.ErrMalformedPayload) {
				t.Fatalf("got error %v, want one matching ErrMalformedPayload", err)
			}
			if refErr == nil {
				t.Fatalf("Decode(%q): got error %v, want %+v as encoding/json reads it", body, err, want)
			}
			return
		}
		if !json.Valid(got.Data) {
			// Only a body that is not a valid envelope gets here.
			if refErr == nil {
				t.Fatalf("Decode(%q): got invalid data %q, want %q", body, got.Data, want.Data)
			}
			return
		}
		if refErr != nil {
			t.Fatalf("Decode(%q): got %+v, want an error as encoding/json reads it: %v", body, got, refErr)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("Decode(%q) mismatch (-encoding/json +Decode):\n%s", body, diff)
		}
		if y := got.Timestamp.Year(); got.Timestamp.IsZero() || y < 0 || y > 9999 {
			return // Encode refuses these timestamps.
		}
		enc, err := webhook.Encode(got)
		if err != nil {
			t.Fatalf("Encode(%+v): got error %v, want nil", got, err)
		}
		again, err := webhook.Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Encode(%+v)) = Decode(%q): got error %v, want nil", got, enc, err)
		}
		got.Timestamp = got.Timestamp.Truncate(time.Second)
		var compact bytes.Buffer
		if err := json.Compact(&compact, got.Data); err != nil {
			t.Fatal(err)
		}
		got.Data = compact.Bytes()
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("round trip of %q mismatch (-want +got):\n%s", body, diff)
		}
	})
}

// referenceDecode reads an envelope with encoding/json: a valid JSON
// object with string "id" and "event", non-empty, an RFC 3339 "timestamp"
// string and an object "data" as its last member, none of them repeated.
func referenceDecode(body []byte) (webhook.Event, error) {
	var ev webhook.Event
	if !json.Valid(body) {
		return ev, errors.New("invalid JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ev, errors.New("not an object")
	}
	seen := map[string]bool{}
	last := ""
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return ev, err
		}
		key := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return ev, err
		}
		last = key
		switch key {
		case "id", "event", "timestamp", "data":
			if seen[key] {
				return ev, fmt.Errorf("duplicate %q", key)
			}
			seen[key] = true
		}
		switch key {
		case "id":
			err = json.Unmarshal(raw, &ev.ID)
		case "event":
			err = json.Unmarshal(raw, &ev.Type)
		case "timestamp":
			if raw[0] != '"' {
				return ev, errors.New("timestamp not a string")
			}
			err = json.Unmarshal(raw, &ev.Timestamp)
			ev.Timestamp = ev.Timestamp.UTC()
		case "data":
			if raw[0] != '{' {
				return ev, errors.New("data not an object")
			}
			ev.Data = raw
		}
		if err != nil {
			return ev, err
		}
	}
	switch {
	case last != "data":
		return ev, errors.New(`"data" is not the last member`)
	case ev.ID == "" || ev.Type == "" || !seen["timestamp"]:
		return ev, errors.New("missing member")
	}
	return ev, nil
}
