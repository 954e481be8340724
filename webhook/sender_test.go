package webhook_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/completeevent/completeevent-go/webhook"
)

// receiver is a loopback test server that counts the connections it
// accepted and the requests its handler got.
type receiver struct {
	*httptest.Server
	conns    atomic.Int64
	requests atomic.Int64
}

// newReceiver starts a receiver, with TLS if withTLS, whose handler is h;
// nil h answers 204 after reading the body. It is closed at cleanup.
func newReceiver(t testing.TB, withTLS bool, h http.HandlerFunc) *receiver {
	t.Helper()
	if h == nil {
		h = func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(http.StatusNoContent)
		}
	}
	rc := &receiver{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.requests.Add(1)
		h(w, r)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			rc.conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // failed handshakes are the point of some tests
	if withTLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	rc.Server = srv
	t.Cleanup(srv.Close)
	return rc
}

// tlsConfig returns a client configuration that trusts the receiver's
// certificate, which is valid for 127.0.0.1, ::1 and example.com.
func (rc *receiver) tlsConfig() *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(rc.Certificate())
	return &tls.Config{RootCAs: pool}
}

// port returns the receiver's port.
func (rc *receiver) port() string {
	_, port, _ := net.SplitHostPort(rc.Listener.Addr().String())
	return port
}

// newDevSender returns a Sender in development mode (private networks
// allowed, so that it reaches loopback receivers) with the other options
// of opts, closing its idle connections at cleanup.
func newDevSender(t testing.TB, opts webhook.SenderOptions) *webhook.Sender {
	t.Helper()
	opts.AllowPrivateNetworks = true
	s := webhook.NewSender(&opts)
	t.Cleanup(s.CloseIdleConnections)
	return s
}

// testDelivery returns a delivery of validBody, signed with testSecret, to
// rawURL.
func testDelivery(rawURL string) webhook.Delivery {
	return webhook.Delivery{URL: rawURL, Body: validBody(), Signer: webhook.NewSigner(testSecret)}
}

// wantClass fails t unless res failed with class, matching target if it is
// not nil.
func wantClass(t *testing.T, res webhook.Result, class webhook.ErrorClass, target error) {
	t.Helper()
	if res.ErrorClass != class {
		t.Fatalf("ErrorClass: got %q (err %v), want %q", res.ErrorClass, res.Err, class)
	}
	if class == "" {
		if res.Err != nil {
			t.Fatalf("Err: got %v, want nil", res.Err)
		}
		return
	}
	if res.Err == nil {
		t.Fatal("Err: got nil, want an error")
	}
	if msg := res.Err.Error(); !strings.HasPrefix(msg, "webhook: ") {
		t.Errorf("Err: got %q, want a message starting with \"webhook: \"", msg)
	}
	if target != nil && !errors.Is(res.Err, target) {
		t.Errorf("Err: got %v, want it to match %v", res.Err, target)
	}
}

func TestSendSuccessVerifies(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got http.Header
	v := newVerifier(testSecret)
	previous := newVerifier(otherSecret)
	rc := newReceiver(t, true, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = r.Header.Clone()
		mu.Unlock()
		// Both secrets of a rotation verify the request, ours and the
		// Standard Webhooks way.
		for _, v := range []*webhook.HMACVerifier{v, previous} {
			r2 := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			r2.Header = r.Header.Clone()
			if v == previous {
				// The previous secret only signs webhook-signature.
				r2.Header.Set(webhook.HeaderSignature, webhook.NewSigner(otherSecret).Sign(body))
			}
			if _, err := v.VerifyRequest(r2); err != nil {
				http.Error(w, err.Error(), webhook.StatusCode(err))
				return
			}
		}
		fmt.Fprint(w, "thanks")
	})
	s := newDevSender(t, webhook.SenderOptions{TLSConfig: rc.tlsConfig()})
	d := testDelivery(rc.URL + "/hooks?tenant=1")
	d.Others = []*webhook.HMACSigner{webhook.NewSigner(otherSecret)}

	res := s.Send(context.Background(), d)
	wantClass(t, res, "", nil)
	if res.StatusCode != http.StatusOK || res.ResponseExcerpt != "thanks" {
		t.Errorf("got status %d, excerpt %q, want 200 and %q", res.StatusCode, res.ResponseExcerpt, "thanks")
	}
	if res.Timings.Connect <= 0 || res.Timings.TLS <= 0 || res.Timings.FirstByte <= 0 {
		t.Errorf("Timings: got %+v, want connect, TLS and first byte", res.Timings)
	}
	if res.Timings.DNS != 0 {
		t.Errorf("Timings.DNS: got %v for an IP literal, want 0", res.Timings.DNS)
	}
	if sum := res.Timings.Connect + res.Timings.TLS + res.Timings.FirstByte; res.Duration < sum {
		t.Errorf("Duration: got %v, want at least the phases' sum %v", res.Duration, sum)
	}

	mu.Lock()
	defer mu.Unlock()
	for name, want := range map[string]string{
		"Content-Type":          "application/json",
		"User-Agent":            "CompleteEvent-Webhooks/1.0",
		webhook.HeaderEvent:     "ping",
		webhook.HeaderID:        "msg_test1",
		webhook.HeaderWebhookID: "msg_test1",
		webhook.HeaderSignature: sign(testSecret, validBody()),
	} {
		if g := got.Get(name); g != want {
			t.Errorf("header %s: got %q, want %q", name, g, want)
		}
	}
	if n := len(strings.Fields(got.Get(webhook.HeaderWebhookSignature))); n != 2 {
		t.Errorf("webhook-signature: got %d entries, want 2", n)
	}
	for _, name := range []string{"Accept-Encoding", "Cookie", "Authorization"} {
		if g := got.Get(name); g != "" {
			t.Errorf("header %s: got %q, want none", name, g)
		}
	}
}

func TestSendHTTP2(t *testing.T) {
	t.Parallel()
	var proto atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto.Store(int64(r.ProtoMajor))
		if _, err := newVerifier(testSecret).VerifyRequest(r); err != nil {
			http.Error(w, err.Error(), webhook.StatusCode(err))
		}
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	s := newDevSender(t, webhook.SenderOptions{TLSConfig: &tls.Config{RootCAs: pool}})
	for i := range 2 {
		res := s.Send(context.Background(), testDelivery(srv.URL))
		wantClass(t, res, "", nil)
		if i == 1 && (res.Timings.Connect != 0 || res.Timings.TLS != 0) {
			t.Errorf("second send: got timings %+v, want no connect nor TLS on the shared connection", res.Timings)
		}
	}
	if got := proto.Load(); got != 2 {
		t.Errorf("protocol: got HTTP/%d, want HTTP/2", got)
	}
}

func TestSendStatuses(t *testing.T) {
	t.Parallel()
	// target is where the redirects point; it must never be reached.
	target := newReceiver(t, true, nil)
	rc := newReceiver(t, true, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		q := r.URL.Query()
		for _, h := range []string{"Location", "Retry-After", "Date"} {
			if v := q.Get(h); v != "" {
				w.Header().Set(h, v)
			}
		}
		var code int
		fmt.Sscan(q.Get("status"), &code)
		w.WriteHeader(code)
		fmt.Fprint(w, q.Get("body"))
	})
	s := newDevSender(t, webhook.SenderOptions{TLSConfig: rc.tlsConfig()})
	date := time.Date(2026, 4, 15, 14, 32, 0, 0, time.UTC)

	tests := []struct {
		name        string
		query       url.Values
		class       webhook.ErrorClass
		target      error
		wantErr     string
		retryAfter  time.Duration
		wantExcerpt string
	}{
		{name: "200", query: url.Values{"status": {"200"}, "body": {"ok"}}, wantExcerpt: "ok"},
		{name: "204", query: url.Values{"status": {"204"}}},
		{name: "202", query: url.Values{"status": {"202"}, "body": {"queued"}}, wantExcerpt: "queued"},
		{
			name: "500", query: url.Values{"status": {"500"}, "body": {"database is down"}},
			class: webhook.ErrorNon2xx, target: webhook.ErrUnexpectedStatus, wantExcerpt: "database is down",
			wantErr: "webhook: unexpected status: 500 Internal Server Error",
		},
		{
			name: "410 Gone", query: url.Values{"status": {"410"}, "body": {"endpoint removed"}},
			class: webhook.ErrorNon2xx, target: webhook.ErrUnexpectedStatus, wantExcerpt: "endpoint removed",
			wantErr: "webhook: unexpected status: 410 Gone",
		},
		{
			name: "301 to a valid URL, not followed", query: url.Values{"status": {"301"}, "Location": {target.URL + "/new"}},
			class: webhook.ErrorRedirect, target: webhook.ErrRedirect,
			wantErr: fmt.Sprintf("webhook: redirect not followed: 301 Moved Permanently to %q", target.URL+"/new"),
		},
		{
			name: "307 not followed", query: url.Values{"status": {"307"}, "Location": {target.URL}},
			class: webhook.ErrorRedirect, target: webhook.ErrRedirect,
		},
		{
			name: "302 without Location", query: url.Values{"status": {"302"}},
			class: webhook.ErrorRedirect, target: webhook.ErrRedirect,
			wantErr: "webhook: redirect not followed: 302 Found without a Location",
		},
		{
			name: "429 Retry-After seconds", query: url.Values{"status": {"429"}, "Retry-After": {"120"}},
			class: webhook.ErrorNon2xx, target: webhook.ErrUnexpectedStatus, retryAfter: 2 * time.Minute,
		},
		{
			name: "503 Retry-After HTTP date, from the Date header",
			query: url.Values{"status": {"503"}, "Date": {date.Format(http.TimeFormat)},
				"Retry-After": {date.Add(90 * time.Second).Format(http.TimeFormat)}},
			class: webhook.ErrorNon2xx, target: webhook.ErrUnexpectedStatus, retryAfter: 90 * time.Second,
		},
		{
			name: "429 Retry-After bounded", query: url.Values{"status": {"429"}, "Retry-After": {"99999999999999999999999"}},
			class: webhook.ErrorNon2xx, target: webhook.ErrUnexpectedStatus, retryAfter: webhook.MaxRetryAfter,
		},
		{
			name: "429 Retry-After malformed", query: url.Values{"status": {"429"}, "Retry-After": {"soon"}},
			class: webhook.ErrorNon2xx, target: webhook.ErrUnexpectedStatus,
		},
		{
			name: "500 Retry-After ignored", query: url.Values{"status": {"500"}, "Retry-After": {"120"}},
			class: webhook.ErrorNon2xx, target: webhook.ErrUnexpectedStatus,
		},
		{
			name: "100-599 outside the table", query: url.Values{"status": {"599"}},
			class: webhook.ErrorNon2xx, target: webhook.ErrUnexpectedStatus, wantErr: "webhook: unexpected status: 599",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := s.Send(context.Background(), testDelivery(rc.URL+"/?"+tt.query.Encode()))
			wantClass(t, res, tt.class, tt.target)
			if want := tt.query.Get("status"); fmt.Sprint(res.StatusCode) != want {
				t.Errorf("StatusCode: got %d, want %s", res.StatusCode, want)
			}
			if tt.wantErr != "" && res.Err.Error() != tt.wantErr {
				t.Errorf("Err: got %q, want %q", res.Err, tt.wantErr)
			}
			if res.RetryAfter != tt.retryAfter {
				t.Errorf("RetryAfter: got %v, want %v", res.RetryAfter, tt.retryAfter)
			}
			if res.ResponseExcerpt != tt.wantExcerpt {
				t.Errorf("ResponseExcerpt: got %q, want %q", res.ResponseExcerpt, tt.wantExcerpt)
			}
		})
	}
	t.Cleanup(func() {
		if n := target.requests.Load(); n != 0 {
			t.Errorf("redirect target: got %d requests, want 0: redirects must not be followed", n)
		}
	})
}

func TestSendTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	rc := newReceiver(t, false, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/headers-then-stall", "/500-then-stall":
			if r.URL.Path == "/500-then-stall" {
				w.WriteHeader(http.StatusInternalServerError)
			}
			fmt.Fprint(w, "partial")
			_ = http.NewResponseController(w).Flush()
		}
		select { // hang: until the client gives up, or the test ends
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // before rc.Close, which waits for handlers

	short := 150 * time.Millisecond
	tests := []struct {
		name     string
		opts     webhook.SenderOptions
		timeout  time.Duration // Delivery.Timeout
		ctx      time.Duration // the caller's deadline, if any
		path     string
		class    webhook.ErrorClass
		status   int
		excerpt  string
		deadline bool // Err matches context.DeadlineExceeded
	}{
		{name: "sender timeout", opts: webhook.SenderOptions{Timeout: short}, class: webhook.ErrorTimeout, deadline: true},
		{name: "delivery timeout overrides", opts: webhook.SenderOptions{Timeout: time.Hour}, timeout: short, class: webhook.ErrorTimeout, deadline: true},
		{name: "caller deadline", opts: webhook.SenderOptions{Timeout: time.Hour}, ctx: short, class: webhook.ErrorTimeout, deadline: true},
		// The receiver answered: the message is delivered, though the
		// excerpt could not be read to its end within the timeout.
		{name: "200 then the body stalls", opts: webhook.SenderOptions{Timeout: short}, path: "/headers-then-stall", status: 200, excerpt: "partial"},
		{name: "500 then the body stalls", opts: webhook.SenderOptions{Timeout: short}, path: "/500-then-stall", status: 500, class: webhook.ErrorNon2xx, excerpt: "partial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newDevSender(t, tt.opts)
			ctx := context.Background()
			if tt.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctx)
				defer cancel()
			}
			d := testDelivery(rc.URL + tt.path)
			d.Timeout = tt.timeout
			res := s.Send(ctx, d)
			wantClass(t, res, tt.class, nil)
			if tt.deadline && !errors.Is(res.Err, context.DeadlineExceeded) {
				t.Errorf("Err: got %v, want it to match context.DeadlineExceeded", res.Err)
			}
			if res.StatusCode != tt.status || res.ResponseExcerpt != tt.excerpt {
				t.Errorf("got status %d, excerpt %q, want %d and %q", res.StatusCode, res.ResponseExcerpt, tt.status, tt.excerpt)
			}
			if res.Duration < short {
				t.Errorf("Duration: got %v, want at least the timeout %v", res.Duration, short)
			}
		})
	}
}

func TestSendCanceled(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, false, nil)
	s := newDevSender(t, webhook.SenderOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := s.Send(ctx, testDelivery(rc.URL))
	wantClass(t, res, webhook.ErrorNetwork, context.Canceled)
	if n := rc.requests.Load(); n != 0 {
		t.Errorf("receiver: got %d requests, want 0", n)
	}
}

func TestSendConnectionRefused(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	s := newDevSender(t, webhook.SenderOptions{})
	for _, u := range []string{"https://" + addr + "/hook", "http://" + addr + "/hook"} {
		res := s.Send(context.Background(), testDelivery(u))
		wantClass(t, res, webhook.ErrorRefused, nil)
		if res.StatusCode != 0 {
			t.Errorf("StatusCode: got %d, want 0", res.StatusCode)
		}
	}
}

func TestSendConnectionReset(t *testing.T) {
	t.Parallel()
	// The receiver accepts, reads the request and resets the connection.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 64<<10)
			_, _ = c.Read(buf)
			_ = c.(*net.TCPConn).SetLinger(0) // close with RST
			c.Close()
		}
	}()
	s := newDevSender(t, webhook.SenderOptions{})
	res := s.Send(context.Background(), testDelivery("http://"+ln.Addr().String()))
	// A reset may also surface as EOF on the read, depending on timing.
	if res.ErrorClass != webhook.ErrorRefused && res.ErrorClass != webhook.ErrorNetwork {
		t.Errorf("ErrorClass: got %q (%v), want refused or network", res.ErrorClass, res.Err)
	}
}

func TestSendTLSFailures(t *testing.T) {
	t.Parallel()
	tlsRC := newReceiver(t, true, nil)
	plainRC := newReceiver(t, false, nil)
	tests := []struct {
		name string
		url  string
		cfg  *tls.Config
		rc   *receiver
	}{
		// The test server's certificate is self-signed: not in the
		// system roots the Sender uses by default.
		{name: "unknown authority", url: tlsRC.URL, rc: tlsRC},
		{name: "wrong host name", url: tlsRC.URL, rc: tlsRC, cfg: func() *tls.Config {
			c := tlsRC.tlsConfig()
			c.ServerName = "completeevent.example"
			return c
		}()},
		{name: "not TLS at all", url: strings.Replace(plainRC.URL, "http:", "https:", 1), rc: plainRC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newDevSender(t, webhook.SenderOptions{TLSConfig: tt.cfg})
			res := s.Send(context.Background(), testDelivery(tt.url))
			wantClass(t, res, webhook.ErrorTLS, nil)
			if n := tt.rc.requests.Load(); n != 0 {
				t.Errorf("receiver: got %d requests, want 0", n)
			}
		})
	}
}

// largeBody is the size of the response body of TestSendLargeResponseBody.
const largeBody = 50 << 20

func TestSendLargeResponseBody(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name          string
		contentLength bool
	}{
		{name: "streamed", contentLength: false},
		{name: "with Content-Length", contentLength: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var written atomic.Int64
			done := make(chan error, 1)
			rc := newReceiver(t, false, func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if tt.contentLength {
					w.Header().Set("Content-Length", fmt.Sprint(largeBody))
				}
				ctl := http.NewResponseController(w)
				chunk := bytes.Repeat([]byte("é"), 16<<10) // 32 KiB of two-byte runes
				var err error
				for total := 0; total < largeBody && err == nil; total += len(chunk) {
					if _, err = w.Write(chunk); err == nil {
						err = ctl.Flush()
					}
					if err == nil {
						written.Add(int64(len(chunk)))
					}
				}
				done <- err
			})
			s := newDevSender(t, webhook.SenderOptions{MaxResponseBytes: 1001})
			res := s.Send(context.Background(), testDelivery(rc.URL))
			wantClass(t, res, "", nil)
			if want := strings.Repeat("é", 500); res.ResponseExcerpt != want {
				t.Errorf("ResponseExcerpt: got %d bytes, want %d: 500 runes, cut at a rune boundary", len(res.ResponseExcerpt), len(want))
			}
			select {
			case err := <-done:
				if err == nil {
					t.Errorf("handler wrote the whole %d bytes: the Sender read them", largeBody)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("the handler is still writing after %d bytes: the Sender did not close the connection", written.Load())
			}
			// What the handler could write is what the client read (the
			// excerpt and at most a 64 KiB drain) plus the loopback
			// socket buffers; far from 50 MiB.
			if n := written.Load(); n > 16<<20 {
				t.Errorf("handler wrote %d bytes before the connection closed, want at most 16 MiB", n)
			}
			t.Logf("handler wrote %d bytes of %d", written.Load(), largeBody)
		})
	}
}

func TestSendReusesConnections(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, true, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		switch r.URL.Path {
		case "/500":
			http.Error(w, strings.Repeat("error detail ", 1000), http.StatusInternalServerError) // 13 KB: drained
		case "/big":
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(bytes.Repeat([]byte("x"), 200<<10)) // past the drain: the connection is closed
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	s := newDevSender(t, webhook.SenderOptions{TLSConfig: rc.tlsConfig()})
	steps := []struct {
		path       string
		wantReused bool
		wantConns  int64
	}{
		{"/", false, 1},
		{"/", true, 1},
		{"/500", true, 1},
		{"/", true, 1},
		{"/big", true, 1},
		{"/", false, 2},
		{"/", true, 2},
	}
	for i, st := range steps {
		var reused atomic.Bool
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			GotConn: func(info httptrace.GotConnInfo) { reused.Store(info.Reused) },
		})
		res := s.Send(ctx, testDelivery(rc.URL+st.path))
		if res.StatusCode == 0 {
			t.Fatalf("step %d %s: %v", i, st.path, res.Err)
		}
		if reused.Load() != st.wantReused {
			t.Errorf("step %d %s: got reused %v, want %v", i, st.path, reused.Load(), st.wantReused)
		}
		if st.wantReused && (res.Timings.Connect != 0 || res.Timings.TLS != 0) {
			t.Errorf("step %d %s: got timings %+v on a reused connection, want no connect nor TLS", i, st.path, res.Timings)
		}
		if !st.wantReused && (res.Timings.Connect == 0 || res.Timings.TLS == 0) {
			t.Errorf("step %d %s: got timings %+v on a new connection, want connect and TLS", i, st.path, res.Timings)
		}
		if got := rc.conns.Load(); got != st.wantConns {
			t.Errorf("step %d %s: receiver accepted %d connections, want %d", i, st.path, got, st.wantConns)
		}
	}
}

func TestSendConcurrent(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, false, func(w http.ResponseWriter, r *http.Request) {
		if _, err := newVerifier(testSecret).VerifyRequest(r); err != nil {
			http.Error(w, err.Error(), webhook.StatusCode(err))
		}
	})
	s := newDevSender(t, webhook.SenderOptions{MaxIdleConnsPerHost: 8})
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for range 10 {
				if res := s.Send(context.Background(), testDelivery(rc.URL)); !res.OK() {
					t.Errorf("Send: %v", res.Err)
				}
			}
		})
	}
	wg.Wait()
	if n := rc.requests.Load(); n != 320 {
		t.Errorf("receiver: got %d requests, want 320", n)
	}
}

func TestSendResolver(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, false, nil)
	resolver := fakeResolver(map[string][]netip.Addr{
		"receiver.example.test": {netip.MustParseAddr("127.0.0.1")},
	})
	s := newDevSender(t, webhook.SenderOptions{Resolver: resolver})
	res := s.Send(context.Background(), testDelivery("http://receiver.example.test:"+rc.port()+"/hook"))
	wantClass(t, res, "", nil)
	if res.Timings.DNS <= 0 {
		t.Errorf("Timings.DNS: got %v, want the lookup's time", res.Timings.DNS)
	}
	res = s.Send(context.Background(), testDelivery("http://missing.example.test:"+rc.port()+"/hook"))
	wantClass(t, res, webhook.ErrorDNS, nil)
	var dnsErr *net.DNSError
	if !errors.As(res.Err, &dnsErr) || !dnsErr.IsNotFound {
		t.Errorf("Err: got %v, want a *net.DNSError for a name not found", res.Err)
	}
}

// TestSendBlocked proves the SSRF rules: a production Sender refuses every
// URL and every resolved address of the bad inputs, with
// blocked_address, and the loopback receiver that a development Sender
// reaches at those very addresses gets nothing at all: no connection.
// Addresses outside loopback are refused before any packet is sent (the
// URL check, or the dialer's Control hook after resolution), so the test
// sends no traffic off this machine.
func TestSendBlocked(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, true, nil)
	port := rc.port()
	resolver := fakeResolver(map[string][]netip.Addr{
		"rebind.example.test":   {netip.MustParseAddr("127.0.0.1")},
		"mapped.example.test":   {netip.MustParseAddr("::ffff:127.0.0.1")},
		"private.example.test":  {netip.MustParseAddr("10.0.0.1")},
		"metadata.example.test": {netip.MustParseAddr("169.254.169.254")},
		"cgnat.example.test":    {netip.MustParseAddr("100.64.0.7")},
		"ula.example.test":      {netip.MustParseAddr("fd00:ec2::254")},
		"mixed.example.test":    {netip.MustParseAddr("192.168.1.1"), netip.MustParseAddr("127.0.0.1")},
	})
	// The development Sender reaches the receiver, and at a name that
	// resolves to it: the refusals below are the SSRF rules, nothing else.
	dev := newDevSender(t, webhook.SenderOptions{TLSConfig: rc.tlsConfig(), Resolver: resolver})
	if res := dev.Send(context.Background(), testDelivery(rc.URL)); !res.OK() {
		t.Fatalf("development Sender: %v", res.Err)
	}
	// (Plain http to the TLS port: Go's server answers 400.)
	if res := dev.Send(context.Background(), testDelivery("http://rebind.example.test:"+port)); res.StatusCode == 0 {
		t.Fatalf("development Sender at rebind.example.test: got %q (%v), want it to reach the receiver", res.ErrorClass, res.Err)
	}
	before := rc.conns.Load()

	prod := webhook.NewSender(&webhook.SenderOptions{TLSConfig: rc.tlsConfig(), Resolver: resolver})
	t.Cleanup(prod.CloseIdleConnections)
	tests := []struct {
		url  string
		want string // in the error
	}{
		{"http://127.0.0.1:" + port + "/hook", "must use https, not http"},
		{"http://example.com/hook", "must use https, not http"},
		{rc.URL + "/hook", "127.0.0.1 is loopback"},
		{"https://127.0.0.1/hook", "127.0.0.1 is loopback"},
		{"https://127.1.2.3:" + port, "127.1.2.3 is loopback"},
		{"https://[::1]:" + port + "/hook", "::1 is loopback"},
		{"https://10.0.0.1/hook", "10.0.0.1 is private"},
		{"https://172.16.5.4/hook", "172.16.5.4 is private"},
		{"https://192.168.0.10/hook", "192.168.0.10 is private"},
		{"https://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"},
		{"https://[fd00:ec2::254]/", "fd00:ec2::254 is a cloud metadata address"},
		{"https://100.100.100.200/", "a cloud metadata address"},
		{"https://[::ffff:10.0.0.1]/hook", "IPv4-mapped 10.0.0.1, which is private"},
		{"https://[::ffff:127.0.0.1]:" + port, "IPv4-mapped 127.0.0.1, which is loopback"},
		{"https://[fe80::1]/", "link-local"},
		{"https://0.0.0.0:" + port, `"this network"`},
		{"https://[::]:" + port, "unspecified"},
		{"https://224.0.0.1/", "multicast"},
		{"https://255.255.255.255/", "broadcast"},
		{"https://localhost:" + port, "local host"},
		{"https://api.localhost:" + port, "local host"},
		// Names that resolve to blocked addresses: refused by the
		// dialer's Control hook, after resolution.
		{"https://rebind.example.test:" + port + "/hook", "127.0.0.1 is loopback"},
		{"https://mapped.example.test:" + port + "/hook", "is loopback"},
		{"https://private.example.test/hook", "10.0.0.1 is private"},
		{"https://metadata.example.test/", "169.254.169.254 is a cloud metadata address"},
		{"https://cgnat.example.test/", "100.64.0.7 is in the shared address space"},
		{"https://ula.example.test/", "fd00:ec2::254 is a cloud metadata address"},
		{"https://mixed.example.test:" + port, "(url host mixed.example.test:" + port + ")"}, // the first address tried
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			res := prod.Send(context.Background(), testDelivery(tt.url))
			wantClass(t, res, webhook.ErrorBlockedAddress, webhook.ErrBlockedAddress)
			if !strings.Contains(res.Err.Error(), tt.want) {
				t.Errorf("Err: got %q, want it to say %q", res.Err, tt.want)
			}
			if res.StatusCode != 0 || res.Timings.Connect != 0 {
				t.Errorf("got status %d, timings %+v, want neither", res.StatusCode, res.Timings)
			}
		})
	}
	t.Cleanup(func() {
		if n := rc.conns.Load() - before; n != 0 {
			t.Errorf("receiver: accepted %d connections from the production Sender, want 0", n)
		}
	})
}

func TestSendInvalidDelivery(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, false, nil)
	s := newDevSender(t, webhook.SenderOptions{})
	good := testDelivery(rc.URL)
	tests := []struct {
		name string
		s    *webhook.Sender
		d    webhook.Delivery
	}{
		{name: "no signer", s: s, d: webhook.Delivery{URL: rc.URL, Body: validBody()}},
		{name: "nil in Others", s: s, d: webhook.Delivery{URL: rc.URL, Body: validBody(), Signer: good.Signer, Others: []*webhook.HMACSigner{nil}}},
		{name: "body not an envelope", s: s, d: webhook.Delivery{URL: rc.URL, Body: []byte(`{"hello":"world"}`), Signer: good.Signer}},
		{name: "nil body", s: s, d: webhook.Delivery{URL: rc.URL, Signer: good.Signer}},
		{name: "secret without whsec_", s: s, d: webhook.Delivery{URL: rc.URL, Body: validBody(), Signer: webhook.NewSigner("not base64!")}},
		{name: "empty URL", s: s, d: webhook.Delivery{Body: validBody(), Signer: good.Signer}},
		{name: "relative URL", s: s, d: webhook.Delivery{URL: "/hook", Body: validBody(), Signer: good.Signer}},
		{name: "ftp URL", s: s, d: webhook.Delivery{URL: "ftp://example.com/", Body: validBody(), Signer: good.Signer}},
		{name: "user information", s: s, d: webhook.Delivery{URL: "http://user:pw@" + strings.TrimPrefix(rc.URL, "http://"), Body: validBody(), Signer: good.Signer}},
		{name: "zero Sender", s: &webhook.Sender{}, d: good},
		{name: "nil Sender", s: nil, d: good},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := tt.s.Send(context.Background(), tt.d)
			wantClass(t, res, webhook.ErrorInvalid, webhook.ErrInvalidDelivery)
		})
	}
	t.Cleanup(func() {
		if n := rc.requests.Load(); n != 0 {
			t.Errorf("receiver: got %d requests, want 0", n)
		}
	})
}

func TestSenderIgnoresProxies(t *testing.T) {
	t.Parallel()
	tr := webhook.SenderTransport(webhook.NewSender(nil))
	if tr.Proxy != nil {
		t.Error("Transport.Proxy: got a function, want nil: a proxy would connect past the address check")
	}
	if tr == http.DefaultTransport {
		t.Error("the Sender uses http.DefaultTransport")
	}
}

func TestSendExcerptIsValidUTF8(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, false, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte("bad\xff\xfe input\x00!"))
	})
	s := newDevSender(t, webhook.SenderOptions{})
	res := s.Send(context.Background(), testDelivery(rc.URL))
	wantClass(t, res, webhook.ErrorNon2xx, webhook.ErrUnexpectedStatus)
	if want := "bad\uFFFD input\uFFFD!"; res.ResponseExcerpt != want {
		t.Errorf("ResponseExcerpt: got %q, want %q", res.ResponseExcerpt, want)
	}
	if !utf8.ValidString(res.ResponseExcerpt) {
		t.Errorf("ResponseExcerpt %q is not valid UTF-8", res.ResponseExcerpt)
	}

	none := newDevSender(t, webhook.SenderOptions{MaxResponseBytes: -1})
	if res := none.Send(context.Background(), testDelivery(rc.URL)); res.StatusCode != 400 || res.ResponseExcerpt != "" {
		t.Errorf("MaxResponseBytes -1: got status %d, excerpt %q, want 400 and none", res.StatusCode, res.ResponseExcerpt)
	}
}

// TestSendLeavesNoGoroutines runs without t.Parallel, so that no other test
// starts goroutines meanwhile: after a success, a timeout, a refusal, a
// blocked address, a large body and a TLS failure, closing the Sender's
// idle connections and the servers brings the goroutines back to their
// number before.
func TestSendLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		release := make(chan struct{})
		rc := newReceiver(t, true, func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			switch r.URL.Path {
			case "/hang":
				select {
				case <-r.Context().Done():
				case <-release:
				}
			case "/big":
				_, _ = w.Write(bytes.Repeat([]byte("x"), 1<<20))
			}
		})
		defer rc.Close()
		defer close(release)
		resolver := fakeResolver(map[string][]netip.Addr{"rebind.example.test": {netip.MustParseAddr("127.0.0.1")}})
		dev := webhook.NewSender(&webhook.SenderOptions{AllowPrivateNetworks: true, TLSConfig: rc.tlsConfig(), Timeout: 200 * time.Millisecond})
		defer dev.CloseIdleConnections()
		prod := webhook.NewSender(&webhook.SenderOptions{Resolver: resolver})
		defer prod.CloseIdleConnections()
		noTrust := webhook.NewSender(&webhook.SenderOptions{AllowPrivateNetworks: true})
		defer noTrust.CloseIdleConnections()

		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := ln.Addr().String()
		ln.Close()

		for _, c := range []struct {
			s   *webhook.Sender
			url string
		}{
			{dev, rc.URL}, {dev, rc.URL + "/hang"}, {dev, rc.URL + "/big"}, {dev, "https://" + closed},
			{prod, "https://rebind.example.test:" + rc.port()}, {noTrust, rc.URL},
		} {
			c.s.Send(context.Background(), testDelivery(c.url))
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: got %d, want at most %d as before\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}
