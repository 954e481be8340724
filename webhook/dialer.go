package webhook

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// blockedRange is one range of addresses that a production Sender never
// connects to, with the reason its error gives.
type blockedRange struct {
	prefix netip.Prefix
	reason string
}

// blockedRanges is the fixed table of the SSRF rules: the ranges that are
// not public unicast addresses of the Internet (loopback, private,
// link-local, CGNAT, multicast, unspecified, reserved, documentation,
// benchmarking, transition mechanisms) and the cloud metadata addresses, so
// that a webhook URL cannot reach the sender's own host, its private
// network or its cloud provider's metadata service. Cloud metadata addresses come first, so that their
// errors name them although wider ranges hold them too. IPv4-mapped IPv6
// addresses, and NAT64 and 6to4 addresses outside the table, are judged by
// the IPv4 address they embed (see blockedReason). It is never modified.
var blockedRanges = [...]blockedRange{
	{netip.MustParsePrefix("169.254.169.254/32"), "a cloud metadata address"}, // AWS, GCP, Azure, OpenStack…
	{netip.MustParsePrefix("fd00:ec2::254/128"), "a cloud metadata address"},  // AWS over IPv6
	{netip.MustParsePrefix("100.100.100.200/32"), "a cloud metadata address"}, // Alibaba Cloud
	{netip.MustParsePrefix("168.63.129.16/32"), "a cloud metadata address"},   // Azure WireServer: public, but the host's own
	{netip.MustParsePrefix("192.0.0.192/32"), "a cloud metadata address"},     // Oracle Cloud (also in 192.0.0.0/24)
	{netip.MustParsePrefix("0.0.0.0/8"), `in "this network" (0.0.0.0/8)`},     // RFC 791; 0.0.0.0 reaches the local host on Linux
	{netip.MustParsePrefix("10.0.0.0/8"), "private (RFC 1918)"},
	{netip.MustParsePrefix("100.64.0.0/10"), "in the shared address space (CGNAT, RFC 6598)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private (RFC 1918)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "reserved for IETF protocol assignments (RFC 6890)"},
	{netip.MustParsePrefix("192.0.2.0/24"), "reserved for documentation (RFC 5737)"},
	{netip.MustParsePrefix("192.88.99.0/24"), "a deprecated 6to4 relay address (RFC 7526)"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private (RFC 1918)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "reserved for benchmarking (RFC 2544)"},
	{netip.MustParsePrefix("198.51.100.0/24"), "reserved for documentation (RFC 5737)"},
	{netip.MustParsePrefix("203.0.113.0/24"), "reserved for documentation (RFC 5737)"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved or broadcast (RFC 1112, RFC 919)"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("::/96"), "IPv4-compatible (deprecated, RFC 4291)"},
	{netip.MustParsePrefix("::ffff:0:0:0/96"), "IPv4-translated (RFC 2765)"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "in the local-use NAT64 prefix (RFC 8215)"},
	{netip.MustParsePrefix("100::/64"), "discard-only (RFC 6666)"},
	{netip.MustParsePrefix("2001::/32"), "a Teredo address (RFC 4380)"},
	{netip.MustParsePrefix("2001:2::/48"), "reserved for benchmarking (RFC 5180)"},
	{netip.MustParsePrefix("2001:db8::/32"), "reserved for documentation (RFC 3849)"},
	{netip.MustParsePrefix("3fff::/20"), "reserved for documentation (RFC 9637)"},
	{netip.MustParsePrefix("5f00::/16"), "reserved for SRv6 SIDs (RFC 9602)"},
	{netip.MustParsePrefix("fc00::/7"), "unique local (RFC 4193)"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local (deprecated, RFC 3879)"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// The IPv6 ranges that embed an IPv4 address, judged by that address.
var (
	nat64Prefix     = netip.MustParsePrefix("64:ff9b::/96") // well-known NAT64 prefix, RFC 6052
	sixToFourPrefix = netip.MustParsePrefix("2002::/16")    // 6to4, RFC 3056
)

// blockedReason returns why a production Sender refuses to connect to addr,
// or "" if addr is a public unicast address it may connect to. An IPv6 zone
// is ignored; an invalid addr is refused.
func blockedReason(addr netip.Addr) string {
	if !addr.IsValid() {
		return "not a valid IP address"
	}
	addr = addr.WithZone("") // Prefix.Contains is false for any zoned address
	if addr.Is4In6() {
		if r := blockedReason(addr.Unmap()); r != "" {
			return "IPv4-mapped " + addr.Unmap().String() + ", which is " + r
		}
		return ""
	}
	for _, b := range blockedRanges {
		if b.prefix.Contains(addr) {
			return b.reason
		}
	}
	if addr.Is6() {
		a := addr.As16()
		var embedded netip.Addr
		var kind string
		switch {
		case nat64Prefix.Contains(addr):
			embedded, kind = netip.AddrFrom4([4]byte(a[12:16])), "NAT64"
		case sixToFourPrefix.Contains(addr):
			embedded, kind = netip.AddrFrom4([4]byte(a[2:6])), "6to4"
		}
		if embedded.IsValid() {
			if r := blockedReason(embedded); r != "" {
				return kind + " for " + embedded.String() + ", which is " + r
			}
		}
	}
	return ""
}

// blockedAddressError returns the error for connecting to addr, which is
// reason.
func blockedAddressError(addr netip.Addr, reason string) error {
	return fmt.Errorf("%w: %s is %s", ErrBlockedAddress, addr, reason)
}

// checkDialAddress is the dialer's Control hook in production: it is called
// with the address a socket is about to connect to, after name resolution
// and before any packet is sent, and refuses a blocked address with an error
// wrapping ErrBlockedAddress. Because it judges the very address being
// connected to, a name that resolves (or later rebinds) to a private
// address cannot get past it. It refuses anything but TCP too, and any
// address it cannot parse.
func checkDialAddress(network, address string, _ syscall.RawConn) error {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return fmt.Errorf("%w: network %q is not tcp", ErrBlockedAddress, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse %q: %v", ErrBlockedAddress, address, err)
	}
	if r := blockedReason(ap.Addr()); r != "" {
		return blockedAddressError(ap.Addr(), r)
	}
	return nil
}

// attemptDeadlineKey is the context key under which Send stores the
// deadline of an attempt. net/http dials on a context detached from the
// request's cancellation (so that another request can use the connection),
// but it keeps the request context's values; dialContext reads the deadline
// back so that a dial to a black hole ends with the attempt, not minutes
// later.
type attemptDeadlineKey struct{}

// dialer dials the Sender's connections.
type dialer struct {
	net.Dialer
	// backstop bounds a dial that carries no attempt deadline.
	backstop time.Duration
}

// newDialer returns the dialer of a Sender: with the address check in its
// Control hook unless allowPrivate, the given resolver, and backstop as the
// longest a dial may take when no attempt deadline bounds it.
func newDialer(resolver *net.Resolver, allowPrivate bool, backstop time.Duration) *dialer {
	d := &dialer{
		Dialer: net.Dialer{
			KeepAlive: 30 * time.Second,
			Resolver:  resolver,
		},
		backstop: backstop,
	}
	if !allowPrivate {
		d.Control = checkDialAddress
	}
	return d
}

// dialContext dials address, bounded by the attempt deadline that Send
// stored in ctx.
func (d *dialer) dialContext(ctx context.Context, network, address string) (net.Conn, error) {
	var cancel context.CancelFunc
	if dl, ok := ctx.Value(attemptDeadlineKey{}).(time.Time); ok && !dl.IsZero() {
		ctx, cancel = context.WithDeadline(ctx, dl)
	} else {
		ctx, cancel = context.WithTimeout(ctx, d.backstop)
	}
	defer cancel()
	return d.DialContext(ctx, network, address)
}

// localhostName reports whether host, a host name (not an IP literal),
// names the local host by definition (RFC 6761): "localhost" or a name
// under it, in any case, with or without a final dot.
func localhostName(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// numericHostName reports whether host, which is not an IP literal that
// netip parses, still ends in a numeric label, like "127.1", "2130706433"
// or "0x7f.1": forms that some resolvers (the C library's) read as IPv4
// addresses. No real host name ends in a number (RFC 3696, section 2), and
// the WHATWG URL standard treats such hosts as IPv4 too.
func numericHostName(host string) bool {
	h := strings.TrimSuffix(host, ".")
	last := h[strings.LastIndexByte(h, '.')+1:]
	if last == "" {
		return false
	}
	if len(last) > 2 && (last[:2] == "0x" || last[:2] == "0X") {
		last = last[2:]
		for i := 0; i < len(last); i++ {
			c := last[i]
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return false
		}
	}
	return true
}
