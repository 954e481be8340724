package webhook_test

import (
	"errors"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/webhook"
)

func TestValidateEndpointURL(t *testing.T) {
	t.Parallel()
	const (
		ok      = iota // accepted in production and in development
		blocked        // refused in production only: the SSRF rules
		bad            // refused in both
	)
	tests := []struct {
		url  string
		want int
		msg  string // in the production error
	}{
		{url: "https://example.com/webhooks", want: ok},
		{url: "https://hooks.example.com:8443/in?token=abc&x=1", want: ok},
		{url: "HTTPS://Example.COM/", want: ok},
		{url: "https://hooks.example.com./x", want: ok},
		{url: "https://xn--bcher-kva.example/", want: ok},
		{url: "https://under_score.example.com/", want: ok},
		{url: "https://93.184.215.14/hook", want: ok},
		{url: "https://[2606:4700::1111]:443/hook", want: ok},
		{url: "https://[64:ff9b::808:808]/", want: ok}, // NAT64 form of a public address
		{url: "https://example.com:65535/", want: ok},

		{url: "http://example.com/webhooks", want: blocked, msg: "must use https, not http"},
		{url: "https://127.0.0.1/", want: blocked, msg: "127.0.0.1 is loopback"},
		{url: "https://127.0.0.1:8080/hook", want: blocked, msg: "127.0.0.1 is loopback"},
		{url: "https://[::1]/", want: blocked, msg: "::1 is loopback"},
		{url: "https://[::1%25lo]/", want: blocked, msg: "loopback"},
		{url: "https://10.0.0.1/", want: blocked, msg: "10.0.0.1 is private (RFC 1918)"},
		{url: "https://172.31.255.255/", want: blocked, msg: "private"},
		{url: "https://192.168.1.1/", want: blocked, msg: "private"},
		{url: "https://169.254.169.254/latest/meta-data/", want: blocked, msg: "169.254.169.254 is a cloud metadata address"},
		{url: "https://169.254.10.1/", want: blocked, msg: "link-local"},
		{url: "https://[::ffff:10.0.0.1]/", want: blocked, msg: "IPv4-mapped 10.0.0.1, which is private"},
		{url: "https://[::ffff:7f00:1]/", want: blocked, msg: "IPv4-mapped 127.0.0.1, which is loopback"},
		{url: "https://[::ffff:169.254.169.254]/", want: blocked, msg: "cloud metadata"},
		{url: "https://100.64.0.1/", want: blocked, msg: "CGNAT"},
		{url: "https://100.100.100.200/", want: blocked, msg: "cloud metadata"},
		{url: "https://[fd00:ec2::254]/", want: blocked, msg: "cloud metadata"},
		{url: "https://[fe80::1]/", want: blocked, msg: "link-local"},
		{url: "https://[fc00::1]/", want: blocked, msg: "unique local"},
		{url: "https://0.0.0.0/", want: blocked, msg: "this network"},
		{url: "https://[::]/", want: blocked, msg: "unspecified"},
		{url: "https://239.1.2.3/", want: blocked, msg: "multicast"},
		{url: "https://[ff02::1]/", want: blocked, msg: "multicast"},
		{url: "https://255.255.255.255/", want: blocked, msg: "broadcast"},
		{url: "https://192.0.2.1/", want: blocked, msg: "documentation"},
		{url: "https://[2001:db8::1]/", want: blocked, msg: "documentation"},
		{url: "https://[64:ff9b::a00:1]/", want: blocked, msg: "NAT64 for 10.0.0.1, which is private"},
		{url: "https://[2002:a9fe:a9fe::1]/", want: blocked, msg: "6to4 for 169.254.169.254"},
		{url: "https://[::127.0.0.1]/", want: blocked, msg: "IPv4-compatible"},
		{url: "https://localhost/", want: blocked, msg: "must not point at the local host"},
		{url: "https://LocalHost.:8443/", want: blocked, msg: "local host"},
		{url: "https://api.localhost/", want: blocked, msg: "local host"},

		{url: "", want: bad, msg: "not a relative reference"},
		{url: "/webhooks", want: bad, msg: "not a relative reference"},
		{url: "example.com/webhooks", want: bad, msg: "not a relative reference"},
		{url: "//example.com/webhooks", want: bad, msg: "not a relative reference"},
		{url: "ftp://example.com/", want: bad, msg: `not scheme "ftp"`},
		{url: "javascript:alert(1)", want: bad, msg: `not scheme "javascript"`},
		{url: "file:///etc/passwd", want: bad, msg: `not scheme "file"`},
		{url: "https:example.com", want: bad, msg: "with a host"},
		{url: "https://user:secret@example.com/", want: bad, msg: "user information"},
		{url: "https://user@example.com/", want: bad, msg: "user information"},
		{url: "https://example.com/#section", want: bad, msg: "fragment"},
		{url: "https://example.com/#", want: bad, msg: "fragment"},
		{url: "https://", want: bad, msg: "must have a host"},
		{url: "https:///webhooks", want: bad, msg: "must have a host"},
		{url: "https://:443/", want: bad, msg: "must have a host"},
		{url: "https://example.com:0/", want: bad, msg: "port"},
		{url: "https://example.com:65536/", want: bad, msg: "port"},
		{url: "https://example.com:/", want: bad, msg: "port"},
		{url: "https://exa mple.com/", want: bad, msg: "invalid character"},
		{url: "https://ex!ample.com/", want: bad, msg: "valid ASCII host name"},
		{url: "https://a..example.com/", want: bad, msg: "valid ASCII host name"},
		{url: "https://bücher.example/", want: bad, msg: "valid ASCII host name"},
		{url: "https://" + strings.Repeat("a", 64) + ".example/", want: bad, msg: "valid ASCII host name"},
		{url: "https://127.1/", want: bad, msg: "ends in a number"},
		{url: "https://2130706433/", want: bad, msg: "ends in a number"},
		{url: "https://0x7f000001/", want: bad, msg: "ends in a number"},
		{url: "https://0x7f.0.0.1/", want: bad, msg: "ends in a number"},
		{url: "https://example.123/", want: bad, msg: "ends in a number"},
		{url: "https://[example.com]/", want: bad},
		{url: "https://example.com/" + strings.Repeat("a", 2048), want: bad, msg: "at most 2048 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			prod := webhook.ValidateEndpointURL(tt.url, false)
			dev := webhook.ValidateEndpointURL(tt.url, true)
			for _, err := range []error{prod, dev} {
				var ce *completeevent.Error
				if err != nil && (!errors.As(err, &ce) || !errors.Is(err, completeevent.ErrInvalid) || ce.Field != "url") {
					t.Errorf("got %#v, want a *completeevent.Error of kind ErrInvalid naming url", err)
				}
			}
			if got := prod == nil; got != (tt.want == ok) {
				t.Errorf("ValidateEndpointURL(%q, false): got %v, want accepted %v", tt.url, prod, tt.want == ok)
			}
			if got := dev == nil; got != (tt.want != bad) {
				t.Errorf("ValidateEndpointURL(%q, true): got %v, want accepted %v", tt.url, dev, tt.want != bad)
			}
			if prod != nil && !strings.Contains(prod.Error(), tt.msg) {
				t.Errorf("error: got %q, want it to say %q", prod, tt.msg)
			}
			if prod != nil && !strings.HasPrefix(prod.Error(), "invalid: url: ") {
				t.Errorf("error: got %q, want it to start with %q", prod, "invalid: url: ")
			}
		})
	}
}

func TestBlockedReason(t *testing.T) {
	t.Parallel()
	blocked := []string{
		"0.0.0.0", "0.1.2.3", "10.0.0.0", "10.255.255.255", "100.64.0.0", "100.127.255.255",
		"127.0.0.1", "127.255.255.254", "169.254.0.1", "169.254.169.254", "172.16.0.0", "172.31.255.255",
		"192.0.0.8", "192.0.0.170", "192.0.0.192", "192.0.2.1", "192.88.99.1", "192.168.0.1", "192.168.255.255",
		"198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250",
		"240.0.0.1", "255.255.255.255", "100.100.100.200", "168.63.129.16",
		"::", "::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "::ffff:0.0.0.0",
		"::127.0.0.1", "::8.8.8.8", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::1", "100::1",
		"2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:2::1", "2001:db8::1", "3fff::1",
		"2002:7f00:1::1", "2002:c0a8:101::1", "::ffff:0:a00:1", "5f00::1", "fc00::1", "fd12:3456::1", "fd00:ec2::254",
		"fe80::1", "fe80::1%eth0", "febf::1", "fec0::1", "ff02::1", "ff05::1:3",
	}
	allowed := []string{
		"1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "93.184.215.14", "100.63.255.255",
		"100.128.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0",
		"192.0.1.1", "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0", "223.255.255.255",
		"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "2606:4700::1111", "2a00:1450:4001::200e",
	}
	for _, s := range blocked {
		if r := webhook.BlockedReason(netip.MustParseAddr(s)); r == "" {
			t.Errorf("BlockedReason(%s): got allowed, want blocked", s)
		}
	}
	for _, s := range allowed {
		if r := webhook.BlockedReason(netip.MustParseAddr(s)); r != "" {
			t.Errorf("BlockedReason(%s): got %q, want allowed", s, r)
		}
	}
	if r := webhook.BlockedReason(netip.Addr{}); r == "" {
		t.Error("BlockedReason of the zero Addr: got allowed, want blocked")
	}
}

// TestBlockedReasonCoversStandardLibrary checks, over random addresses, that
// the table refuses every address that net/netip itself calls loopback,
// private, link-local, multicast or unspecified, in either family and in
// IPv4-mapped form.
func TestBlockedReasonCoversStandardLibrary(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(a netip.Addr) {
		t.Helper()
		u := a.Unmap()
		special := u.IsLoopback() || u.IsPrivate() || u.IsLinkLocalUnicast() || u.IsLinkLocalMulticast() ||
			u.IsMulticast() || u.IsInterfaceLocalMulticast() || u.IsUnspecified() || !u.IsGlobalUnicast()
		if special && webhook.BlockedReason(a) == "" {
			t.Errorf("BlockedReason(%s): got allowed, want blocked like net/netip's predicates", a)
		}
	}
	for range 200_000 {
		var b4 [4]byte
		var b16 [16]byte
		for i := range b4 {
			b4[i] = byte(rng.Uint32())
		}
		for i := range b16 {
			b16[i] = byte(rng.Uint32())
		}
		// Bias IPv6 towards the special prefixes: random bits rarely hit them.
		switch rng.IntN(4) {
		case 0:
			b16[0], b16[1] = 0xfe, 0x80|b16[1]&0x3f
		case 1:
			b16[0] = 0xfc | b16[0]&1
		case 2:
			b16[0] = 0xff
		}
		check(netip.AddrFrom4(b4))
		check(netip.AddrFrom16(b16))
		check(netip.AddrFrom16(netip.AddrFrom4(b4).As16())) // IPv4-mapped
	}
}

func TestCheckDialAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		network, address string
		blocked          bool
	}{
		{"tcp", "127.0.0.1:443", true},
		{"tcp4", "10.0.0.1:443", true},
		{"tcp6", "[::1]:443", true},
		{"tcp6", "[::ffff:127.0.0.1]:443", true},
		{"tcp6", "[fe80::1%eth0]:443", true},
		{"tcp", "[::ffff:169.254.169.254]:80", true},
		{"tcp", "169.254.169.254:80", true},
		{"tcp4", "8.8.8.8:443", false},
		{"tcp6", "[2606:4700::1111]:443", false},
		{"udp", "8.8.8.8:53", true},
		{"tcp", "example.com:443", true},
		{"tcp", "garbage", true},
		{"tcp", "", true},
	}
	for _, tt := range tests {
		err := webhook.CheckDialAddress(tt.network, tt.address)
		if got := err != nil; got != tt.blocked {
			t.Errorf("CheckDialAddress(%q, %q): got %v, want blocked %v", tt.network, tt.address, err, tt.blocked)
		}
		if err != nil && !errors.Is(err, webhook.ErrBlockedAddress) {
			t.Errorf("CheckDialAddress(%q, %q): got %v, want it to match ErrBlockedAddress", tt.network, tt.address, err)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 4, 15, 14, 32, 0, 0, time.UTC)
	date := now.Add(-time.Hour) // the receiver's clock, an hour behind ours
	tests := []struct {
		value, date string
		want        time.Duration
	}{
		{"120", "", 2 * time.Minute},
		{" 120 ", "", 2 * time.Minute},
		{"0", "", 0},
		{"", "", 0},
		{"-5", "", 0},
		{"+5", "", 0},
		{"1.5", "", 0},
		{"12a", "", 0},
		{"86400", "", 24 * time.Hour},
		{"86401", "", webhook.MaxRetryAfter},
		{"99999999999999999999999999999", "", webhook.MaxRetryAfter},
		// HTTP dates count from the response's Date header when it has one.
		{date.Add(30 * time.Second).Format(http1123), date.Format(http1123), 30 * time.Second},
		{now.Add(45 * time.Second).Format(http1123), "", 45 * time.Second},
		{now.Add(45 * time.Second).Format(http1123), "not a date", 45 * time.Second},
		{now.Add(45 * time.Second).Format(time.RFC850), "", 45 * time.Second},
		{now.Add(45 * time.Second).Format(time.ANSIC), "", 45 * time.Second},
		{now.Add(-time.Minute).Format(http1123), "", 0},
		{now.Add(1000 * time.Hour).Format(http1123), "", webhook.MaxRetryAfter},
		{"Wed, 99 Apr 2026 14:32:00 GMT", "", 0},
	}
	for _, tt := range tests {
		if got := webhook.ParseRetryAfter(tt.value, tt.date, now); got != tt.want {
			t.Errorf("ParseRetryAfter(%q, %q): got %v, want %v", tt.value, tt.date, got, tt.want)
		}
	}
}

// http1123 is the HTTP date format, with the zone name GMT.
const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"

func TestValidExcerpt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		cut  bool
		max  int
		want string
	}{
		{"héllo", false, 100, "héllo"},
		{"hé"[:2], true, 2, "h"},                   // a rune split by the bound
		{"hé"[:2], false, 100, "h\uFFFD"},          // a body that ends in half a rune
		{"a\xff\xfe\xfdb", false, 100, "a\uFFFDb"}, // a run of invalid bytes: one replacement
		{"a\x00b", false, 100, "a\uFFFDb"},
		{"\x00\x00", false, 100, "\uFFFD\uFFFD"},
		{"ab\xff", false, 3, "ab"}, // no room for the replacement
		{"", false, 100, ""},
		{"€€", true, 6, "€€"},
	}
	for _, tt := range tests {
		if got := webhook.ValidExcerpt([]byte(tt.in), tt.cut, tt.max); got != tt.want {
			t.Errorf("ValidExcerpt(%q, %v, %d): got %q, want %q", tt.in, tt.cut, tt.max, got, tt.want)
		}
	}
}
