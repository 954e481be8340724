package completeevent_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

func TestNewID(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	prev := ""
	for i := range 1000 {
		id := ce.NewID(ce.PrefixEvent, start.Add(time.Duration(i)*time.Millisecond))
		if !ce.ValidID(ce.PrefixEvent, id) || len(id) != len("evt_")+26 {
			t.Fatalf("NewID: got %q, want evt_ and 26 base32 characters", id)
		}
		if seen[id] {
			t.Fatalf("NewID: %q made twice", id)
		}
		seen[id] = true
		if id <= prev {
			t.Fatalf("NewID: %q made a millisecond after %q sorts before it", id, prev)
		}
		prev = id
	}
	for _, bad := range []string{"", "evt_", "tier_" + prev[4:], prev + "0", strings.ToUpper(prev), "evt_" + strings.Repeat("u", 26)} {
		if ce.ValidID(ce.PrefixEvent, bad) {
			t.Errorf("ValidID(%q): got true, want false", bad)
		}
	}
}

func TestNewToken(t *testing.T) {
	t.Parallel()
	a, b := ce.NewToken(20), ce.NewToken(20)
	if len(a) != 32 || a == b || strings.ToLower(a) != a {
		t.Errorf("NewToken(20): got %q and %q, want two different lower-case 32-character tokens", a, b)
	}
}

func TestAPIKey(t *testing.T) {
	t.Parallel()
	token, key := ce.NewAPIKey("org_1", "demo", start)
	if !strings.HasPrefix(token, "ce_") || key.Hash != ce.HashAPIKeyToken(token) || strings.Contains(key.Hash, token) {
		t.Errorf("NewAPIKey: got token %q, hash %q; want ce_ token stored only as its hash", token, key.Hash)
	}
	if ce.HashAPIKeyToken(token+"x") == key.Hash {
		t.Errorf("HashAPIKeyToken: another token has the same hash")
	}
	if !ce.ValidID(ce.PrefixAPIKey, key.ID) || key.OrganizationID != "org_1" {
		t.Errorf("NewAPIKey: got %+v", key)
	}
}

func TestMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m    ce.Money
		want string
	}{
		{ce.Money{Amount: 1250, Currency: "EUR"}, "EUR 12.50"},
		{ce.Money{Amount: 5, Currency: "USD"}, "USD 0.05"},
		{ce.Money{Amount: -199, Currency: "GBP"}, "GBP -1.99"},
		{ce.Money{Amount: 1200, Currency: "JPY"}, "JPY 1200"},
		{ce.Money{Amount: 1234, Currency: "KWD"}, "KWD 1.234"},
		{ce.Money{Amount: 7, Currency: "ZZZ"}, "ZZZ 7"},
	}
	for _, tc := range tests {
		if got := tc.m.String(); got != tc.want {
			t.Errorf("%#v.String(): got %q, want %q", tc.m, got, tc.want)
		}
	}
	for code, want := range map[string]bool{"EUR": true, "JPY": true, "eur": false, "EU": false, "EURO": false, "XYZ": false, "2EUR": false, "R2 ": false, "": false} {
		if got := ce.ValidCurrency(code); got != want {
			t.Errorf("ValidCurrency(%q): got %v, want %v", code, got, want)
		}
	}
}

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	cause := errors.New("disk on fire")
	tests := []struct {
		err       error
		kind      error
		wantText  string
		wantField string
	}{
		{ce.NotFound("event %s not found", "evt_1"), ce.ErrNotFound, "not found: event evt_1 not found", ""},
		{ce.Conflict("already published"), ce.ErrConflict, "conflict: already published", ""},
		{ce.Invalid("joinUrl", "must be https"), ce.ErrInvalid, "invalid: joinUrl: must be https", "joinUrl"},
		{ce.Unauthorized("missing API key"), ce.ErrUnauthorized, "unauthorized: missing API key", ""},
		{ce.Forbidden("read-only key"), ce.ErrForbidden, "forbidden: read-only key", ""},
		{&ce.Error{Kind: ce.ErrConflict, Err: cause}, ce.ErrConflict, "conflict", ""},
	}
	kinds := []error{ce.ErrNotFound, ce.ErrConflict, ce.ErrInvalid, ce.ErrUnauthorized, ce.ErrForbidden}
	for _, tc := range tests {
		wrapped := fmt.Errorf("service: %w", tc.err)
		for _, k := range kinds {
			if got, want := errors.Is(wrapped, k), k == tc.kind; got != want {
				t.Errorf("errors.Is(%v, %v): got %v, want %v", tc.err, k, got, want)
			}
		}
		if got := tc.err.Error(); got != tc.wantText {
			t.Errorf("Error(): got %q, want %q", got, tc.wantText)
		}
		if got := ce.ErrorField(wrapped); got != tc.wantField {
			t.Errorf("ErrorField(%v): got %q, want %q", tc.err, got, tc.wantField)
		}
	}
	if !errors.Is(tests[5].err, cause) {
		t.Errorf("errors.Is(err, cause): got false, want true")
	}
	if got := ce.ErrorMessage(cause); got != "disk on fire" {
		t.Errorf("ErrorMessage of a plain error: got %q", got)
	}
}
