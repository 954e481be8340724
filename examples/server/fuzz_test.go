package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzDecodeJSON checks that decodeJSON, which reads every request body,
// accepts only valid JSON and refuses anything else with a *requestError
// that answers 400 with a message, never with a panic or a 500.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		validEvent, validTier, `{"title":`, `{"startsAt":5}`, `{"endsAt":""}`, `[]`, `{} x`, `{}{}`, "",
		`{"settings":{"registrationOpensAt":"2026-05-20T19:00:00Z","capacity":1e3}}`,
		`{"price":{"amount":9223372036854775808,"currency":"EUR"}}`, `{"joinUrl":null,"version":1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, dst := range []any{&eventBody{}, &tierBody{}} {
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
