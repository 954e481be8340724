package stripetest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"testing"
)

// maxBody bounds the request bodies a Recorder keeps.
const maxBody = 1 << 20

// Request is one request a Recorder passed on.
type Request struct {
	Method string
	// Path is the URL path, e.g. "/v1/checkout/sessions".
	Path   string
	Header http.Header
	// Form holds the query parameters and the form-encoded body, in
	// Stripe's bracket notation, e.g. "metadata[event_id]".
	Form url.Values
}

// Recorder is a proxy in front of a Stripe API that records the requests
// it passes on. It is safe for concurrent use.
type Recorder struct {
	// URL is the proxy's base URL, to use as the Stripe API base URL.
	URL string

	mu       sync.Mutex
	requests []Request
}

// Record starts a Recorder in front of the Stripe API at target, e.g. the
// URL Start returned, and stops it when the test ends.
func Record(t testing.TB, target string) *Recorder {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatalf("parse %q: %v", target, err)
	}
	rec := &Recorder{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil || len(body) > maxBody {
			http.Error(w, "stripetest: request body unreadable or too large", http.StatusBadRequest)
			return
		}
		form := r.URL.Query()
		if len(body) > 0 {
			bodyForm, err := url.ParseQuery(string(body))
			if err != nil {
				http.Error(w, "stripetest: body is not form-encoded: "+err.Error(), http.StatusBadRequest)
				return
			}
			for k, vs := range bodyForm {
				form[k] = append(form[k], vs...)
			}
		}
		rec.mu.Lock()
		rec.requests = append(rec.requests, Request{
			Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Form: form,
		})
		rec.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rec.URL = srv.URL
	return rec
}

// Requests returns the requests passed on so far, oldest first.
func (r *Recorder) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}
