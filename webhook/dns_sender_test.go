package webhook_test

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"strings"
)

// fakeResolver returns a resolver that answers from records, which map a
// lowercase host name (without a final dot) to its addresses, and answers
// NXDOMAIN for any other name. It sends no packet at all: its Dial returns
// one end of an in-memory pipe whose other end a goroutine serves, DNS over
// TCP framing, until the resolver closes it. So a test can make a name
// resolve to a private address without touching the real DNS.
func fakeResolver(records map[string][]netip.Addr) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(context.Context, string, string) (net.Conn, error) {
			client, server := net.Pipe()
			go serveDNS(server, records)
			return client, nil
		},
	}
}

// serveDNS answers the length-prefixed queries read from c until c fails.
func serveDNS(c net.Conn, records map[string][]netip.Addr) {
	defer c.Close()
	for {
		var n [2]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		q := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(c, q); err != nil {
			return
		}
		a := dnsAnswer(q, records)
		if a == nil {
			return
		}
		if _, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(a))), a...)); err != nil {
			return
		}
	}
}

// The DNS record types the fake answers.
const (
	dnsTypeA    = 1
	dnsTypeAAAA = 28
)

// dnsAnswer returns the response to query q, or nil if q is not a query of
// one question.
func dnsAnswer(q []byte, records map[string][]netip.Addr) []byte {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:6]) != 1 {
		return nil
	}
	var labels []string
	i := 12
	for {
		if i >= len(q) {
			return nil
		}
		l := int(q[i])
		i++
		if l == 0 {
			break
		}
		if l > 63 || i+l > len(q) {
			return nil
		}
		labels = append(labels, strings.ToLower(string(q[i:i+l])))
		i += l
	}
	if i+4 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i : i+2])
	question := q[12 : i+4]
	addrs, found := records[strings.Join(labels, ".")]

	var answers [][]byte
	for _, a := range addrs {
		switch {
		case qtype == dnsTypeA && a.Is4():
			b := a.As4()
			answers = append(answers, b[:])
		case qtype == dnsTypeAAAA && a.Is6():
			b := a.As16()
			answers = append(answers, b[:])
		}
	}
	flags := uint16(0x8580) // response, authoritative, recursion desired and available
	if !found {
		flags |= 3 // NXDOMAIN
	}
	r := make([]byte, 0, 512)
	r = append(r, q[0], q[1])
	r = binary.BigEndian.AppendUint16(r, flags)
	r = binary.BigEndian.AppendUint16(r, 1)
	r = binary.BigEndian.AppendUint16(r, uint16(len(answers)))
	r = append(r, 0, 0, 0, 0) // no authority, no additional records
	r = append(r, question...)
	for _, rdata := range answers {
		r = append(r, 0xc0, 12) // the name: a pointer to the question's
		r = binary.BigEndian.AppendUint16(r, qtype)
		r = binary.BigEndian.AppendUint16(r, 1)  // class IN
		r = binary.BigEndian.AppendUint32(r, 60) // TTL
		r = binary.BigEndian.AppendUint16(r, uint16(len(rdata)))
		r = append(r, rdata...)
	}
	return r
}
