package webhook_test

import (
	"bytes"
	"errors"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/webhook"
)

// FuzzValidateEndpointURL checks that ValidateEndpointURL never panics,
// refuses with an ErrInvalid error naming "url", and accepts only absolute
// http(s) URLs with a host and no user information nor fragment: https
// alone, and no loopback, private, link-local, multicast or unspecified IP
// literal nor local host name, in production.
func FuzzValidateEndpointURL(f *testing.F) {
	for _, s := range []string{
		"https://example.com/webhooks", "http://example.com/", "https://127.0.0.1/", "https://[::1]:8443/x",
		"https://10.0.0.1/", "https://169.254.169.254/", "https://[::ffff:10.0.0.1]/", "https://localhost./",
		"https://user:pw@example.com/", "https://example.com/#f", "ftp://example.com/", "/relative", "",
		"https://127.1/", "https://0x7f000001/", "https://[fe80::1%25eth0]/", "https://example.com:0/",
		"HTTPS://EXAMPLE.COM:443/a?b=c", "https:opaque", "https://%31%32%37.0.0.1/", "https://[64:ff9b::a00:1]/",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, allowPrivate bool) {
		err := webhook.ValidateEndpointURL(raw, allowPrivate)
		if err != nil {
			if !errors.Is(err, completeevent.ErrInvalid) || completeevent.ErrorField(err) != "url" {
				t.Fatalf("ValidateEndpointURL(%q, %v): got %v, want ErrInvalid naming url", raw, allowPrivate, err)
			}
			return
		}
		if !allowPrivate && webhook.ValidateEndpointURL(raw, true) != nil {
			t.Fatalf("%q: accepted in production but refused in development", raw)
		}
		u, perr := url.Parse(raw)
		switch {
		case perr != nil:
			t.Fatalf("accepted %q, which does not parse: %v", raw, perr)
		case u.Scheme != "https" && !(allowPrivate && u.Scheme == "http"):
			t.Fatalf("accepted %q with scheme %q (allowPrivate %v)", raw, u.Scheme, allowPrivate)
		case !u.IsAbs() || u.Opaque != "" || u.Host == "" || u.Hostname() == "":
			t.Fatalf("accepted %q, which is not absolute with a host", raw)
		case u.User != nil:
			t.Fatalf("accepted %q, which has user information", raw)
		case u.Fragment != "" || strings.Contains(raw, "#"):
			t.Fatalf("accepted %q, which has a fragment", raw)
		case len(raw) > 2048:
			t.Fatalf("accepted %d bytes", len(raw))
		}
		if p := u.Port(); p != "" {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
				t.Fatalf("accepted %q with port %q", raw, p)
			}
		}
		if allowPrivate {
			return
		}
		host := u.Hostname()
		if a, err := netip.ParseAddr(host); err == nil {
			a = a.WithZone("").Unmap()
			if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
				a.IsMulticast() || a.IsUnspecified() || !a.IsGlobalUnicast() {
				t.Fatalf("accepted %q, whose host %s is not public", raw, a)
			}
			return
		}
		h := strings.ToLower(strings.TrimSuffix(host, "."))
		if h == "localhost" || strings.HasSuffix(h, ".localhost") {
			t.Fatalf("accepted %q, which names the local host", raw)
		}
		for i := 0; i < len(host); i++ {
			if host[i] >= utf8.RuneSelf {
				t.Fatalf("accepted %q, whose host is not ASCII", raw)
			}
		}
	})
}

// FuzzParseRetryAfter checks that a Retry-After value never panics and
// always gives a delay from 0 to MaxRetryAfter, equal to the number of
// seconds when it is a small number.
func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 4, 15, 14, 32, 0, 0, time.UTC)
	for _, s := range []string{"120", "0", "", "-1", "1.5", "99999999999999999999", "Wed, 15 Apr 2026 14:33:00 GMT",
		"Wednesday, 15-Apr-26 14:33:00 GMT", "Wed Apr 15 14:33:00 2026"} {
		f.Add(s, "Wed, 15 Apr 2026 14:32:00 GMT")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, value, date string) {
		d := webhook.ParseRetryAfter(value, date, now)
		if d < 0 || d > webhook.MaxRetryAfter {
			t.Fatalf("ParseRetryAfter(%q, %q): got %v, want 0 to %v", value, date, d, webhook.MaxRetryAfter)
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(value), 10, 16); err == nil && d != time.Duration(n)*time.Second {
			t.Fatalf("ParseRetryAfter(%q): got %v, want %d s", value, d, n)
		}
	})
}

// FuzzValidExcerpt checks that an excerpt is valid UTF-8 without NUL, at
// most its bound long, and the body itself when the body is such text.
func FuzzValidExcerpt(f *testing.F) {
	for _, s := range []string{"héllo", "a\xffb", "\x00", "€€€", "h\xc3", ""} {
		f.Add([]byte(s), false, 4096)
		f.Add([]byte(s), true, 3)
	}
	f.Fuzz(func(t *testing.T, body []byte, cut bool, max int) {
		if max < 0 || max > 1<<16 {
			return
		}
		if len(body) > max {
			body = body[:max]
		}
		got := webhook.ValidExcerpt(body, cut, max)
		if !utf8.ValidString(got) || strings.IndexByte(got, 0) >= 0 || len(got) > max {
			t.Fatalf("ValidExcerpt(%q, %v, %d): got %q, want valid UTF-8 without NUL of at most %d bytes", body, cut, max, got, max)
		}
		if !cut && utf8.Valid(body) && bytes.IndexByte(body, 0) < 0 && got != string(body) {
			t.Fatalf("ValidExcerpt(%q): got %q, want it unchanged", body, got)
		}
	})
}
