package webhook

import (
	"net/http"
	"net/netip"
)

// Internals of the sending client, exported to the external tests.

// BlockedReason is blockedReason: why a production Sender refuses addr.
func BlockedReason(addr netip.Addr) string { return blockedReason(addr) }

// CheckDialAddress is the production dialer's Control hook.
func CheckDialAddress(network, address string) error { return checkDialAddress(network, address, nil) }

// ParseRetryAfter is parseRetryAfter.
var ParseRetryAfter = parseRetryAfter

// ValidExcerpt is validExcerpt.
var ValidExcerpt = validExcerpt

// SenderTransport returns the transport of s.
func SenderTransport(s *Sender) *http.Transport { return s.transport }
