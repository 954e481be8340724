package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

// FuzzDecodeJSON checks that decodeJSON, which reads every request body,
// accepts only valid JSON and refuses anything else with a *requestError
// that answers 400 with a message, never with a panic or a 500.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		validEvent, validTier, `{"title":`, `{"startsAt":5}`, `{"endsAt":""}`, `[]`, `{} x`, `{}{}`, "",
		`{"settings":{"registrationOpensAt":"2026-05-20T19:00:00Z","capacity":1e3}}`,
		`{"price":{"amount":9223372036854775808,"currency":"EUR"}}`, `{"joinUrl":null,"version":1}`,
		`{"tierId":"tier_1","email":"ada@example.org","firstName":"Ada","lastName":"Lovelace"}`,
		`{"ticketCode":"0123456789abcdefghjkmnpqrstvwxyz"}`, `{"registrationId":null}`, `{"reason":"\u0000"}`, "  ",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, dst := range []any{&eventBody{}, &tierBody{}, &registrationBody{}, &checkInBody{}, &cancelBody{}} {
			req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
			err := decodeJSON(httptest.NewRecorder(), req, dst)
			if err == nil {
				if !json.Valid(body) {
					t.Errorf("accepted %q, which is not valid JSON", body)
				}
				continue
			}
			var re *requestError
			if !errors.As(err, &re) {
				t.Fatalf("got error %v (%T) for %q, want a *requestError", err, err, body)
			}
			if status, detail := describe(err); status != http.StatusBadRequest || detail.Message == "" {
				t.Errorf("got status %d and message %q for %q, want 400 with a message", status, detail.Message, body)
			}
		}
	})
}

// FuzzAttendeeLinks sends any token to the attendee pages: none of them
// answers anything but the one 404 page (or the mux's redirect to a
// cleaned path), and none echoes the token.
func FuzzAttendeeLinks(f *testing.F) {
	for _, seed := range []string{"", "x", "0123456789abcdefghjkmnpqrstvwxyz", "..", "a/b", "%00", "<script>", strings.Repeat("z", 300)} {
		f.Add(seed)
	}
	api := newTestAPI(f)
	f.Fuzz(func(t *testing.T, token string) {
		for _, path := range []string{"/guide/" + url.PathEscape(token), "/guide/" + url.PathEscape(token) + "/ticket.png", "/join/" + url.PathEscape(token)} {
			rec := serve(api, httptest.NewRequest("GET", path, nil))
			switch {
			case rec.Code == http.StatusNotFound:
				if len(token) > 3 && strings.Contains(rec.Body.String(), token) {
					t.Errorf("GET %q: the 404 page echoes the token", path)
				}
			case rec.Code == http.StatusMovedPermanently || rec.Code == http.StatusTemporaryRedirect:
			default:
				t.Errorf("GET %q: got status %d, want 404", path, rec.Code)
			}
		}
	})
}

// FuzzParseAmount checks that parseAmount, which reads the bids typed in
// the guide's form, never panics, accepts only plain decimals of the
// currency, and reads back what majorUnits writes.
func FuzzParseAmount(f *testing.F) {
	for _, seed := range []string{"12.50", "12", "0.01", "-5", "1e3", "12.345", "", ".5", "5.", "999999999999999", "1,5", "\u0661"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, currency := range []string{"EUR", "JPY", "BHD"} {
			n, err := parseAmount(s, currency)
			if err != nil {
				if !errors.Is(err, ce.ErrInvalid) || ce.ErrorField(err) != "amount" {
					t.Fatalf("parseAmount(%q, %s): got error %v, want ErrInvalid on amount", s, currency, err)
				}
				continue
			}
			if n < 1 {
				t.Fatalf("parseAmount(%q, %s): got %d, want at least 1", s, currency, n)
			}
			if strings.ContainsAny(s, "-+eE,_") {
				t.Fatalf("parseAmount(%q, %s): accepted %d, want a refusal", s, currency, n)
			}
			back, err := parseAmount(majorUnits(n, currency), currency)
			if err != nil || back != n {
				t.Fatalf("parseAmount(majorUnits(%d, %s) = %q): got %d, %v", n, currency, majorUnits(n, currency), back, err)
			}
		}
	})
}
