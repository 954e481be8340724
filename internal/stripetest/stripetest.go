// Package stripetest gives tests a Stripe API of their own, stripe-mock
// (github.com/stripe/stripe-mock), and the tools to check what reached it
// and to forge Stripe's webhook callbacks.
//
// Start runs a private stripe-mock for one test, or reuses the one
// STRIPE_MOCK_URL names. Without stripe-mock the test is skipped, or fails
// if COMPLETEEVENT_TEST_STRIPE_REQUIRED is set, as CI does, so that a
// missing stripe-mock never passes unnoticed. Install it with
//
//	go install github.com/stripe/stripe-mock@v0.203.0
//
// stripe-mock checks every request against Stripe's OpenAPI specification
// but keeps no state: it answers with fixtures, reflecting the ids in the
// path and a few parameters. Record puts a recording proxy in front of it
// to check the parameters a client sent.
package stripetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/build"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// SecretKey is a test-mode secret key that stripe-mock accepts.
const SecretKey = "sk_test_123"

// startTimeout bounds how long Start waits for stripe-mock to answer.
const startTimeout = 30 * time.Second

// Start returns the base URL of a running stripe-mock, e.g.
// "http://127.0.0.1:41234", to use as the Stripe API base URL.
//
// If STRIPE_MOCK_URL is set, Start returns it. Otherwise it starts the
// stripe-mock binary found in PATH, in $GOBIN or in the bin directory of a
// GOPATH entry (by default $HOME/go/bin) on free loopback ports, waits
// until it answers, and stops it when the test ends. If there is none, it
// skips the test, or fails it if COMPLETEEVENT_TEST_STRIPE_REQUIRED is set.
func Start(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("STRIPE_MOCK_URL"); u != "" {
		return strings.TrimSuffix(u, "/")
	}
	bin, err := find()
	if err != nil {
		if os.Getenv("COMPLETEEVENT_TEST_STRIPE_REQUIRED") != "" {
			t.Fatalf("%v, and COMPLETEEVENT_TEST_STRIPE_REQUIRED is set", err)
		}
		t.Skip(err)
	}

	out := &output{listening: make(chan string, 1)}
	// An empty port lets the system choose: several test processes each
	// run their own stripe-mock. The HTTPS listener is not used but always
	// starts, by default on the fixed port 12112, so it gets a free one too.
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	var addr string
	select {
	case addr = <-out.listening:
	case err := <-exited:
		exited <- err // for stop
		stop()
		t.Fatalf("stripe-mock exited before listening: %v\n%s", err, out)
	case <-ctx.Done():
		stop()
		t.Fatalf("stripe-mock did not listen within %v\n%s", startTimeout, out)
	}
	t.Cleanup(stop)

	base := "http://" + addr
	if err := waitReady(ctx, base); err != nil {
		t.Fatalf("stripe-mock at %s does not answer: %v\n%s", base, err, out)
	}
	return base
}

// find returns the path of the stripe-mock binary: in PATH, else in
// $GOBIN or GOPATH/bin, as the environment or else the go command (which
// also reads `go env -w` settings) tells.
func find() (string, error) {
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	// build.Default.GOPATH is $GOPATH, or $HOME/go when it is unset.
	dirs := binDirs(os.Getenv("GOBIN"), build.Default.GOPATH)
	if p, ok := lookIn(dirs); ok {
		return p, nil
	}
	if goTool, err := exec.LookPath("go"); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if out, err := exec.CommandContext(ctx, goTool, "env", "GOBIN", "GOPATH").Output(); err == nil {
			gobin, gopath, _ := strings.Cut(string(out), "\n")
			more := binDirs(strings.TrimSpace(gobin), strings.TrimSpace(gopath))
			if p, ok := lookIn(more); ok {
				return p, nil
			}
			for _, d := range more {
				if !slices.Contains(dirs, d) {
					dirs = append(dirs, d)
				}
			}
		}
	}
	return "", fmt.Errorf("stripe-mock not found in PATH or in %s, and STRIPE_MOCK_URL is not set; "+
		"install it with: go install github.com/stripe/stripe-mock@v0.203.0", strings.Join(dirs, ", "))
}

// binDirs returns gobin, if set, and the bin directory of each entry of
// the list gopath.
func binDirs(gobin, gopath string) []string {
	var dirs []string
	if gobin != "" {
		dirs = append(dirs, gobin)
	}
	for _, dir := range filepath.SplitList(gopath) {
		if dir != "" {
			dirs = append(dirs, filepath.Join(dir, "bin"))
		}
	}
	return dirs
}

// lookIn returns the path of an executable stripe-mock in one of dirs.
func lookIn(dirs []string) (string, bool) {
	for _, dir := range dirs {
		p := filepath.Join(dir, "stripe-mock")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// waitReady polls base until stripe-mock answers an authenticated request
// or ctx ends.
func waitReady(ctx context.Context, base string) error {
	client := &http.Client{Timeout: time.Second}
	for {
		err := probe(ctx, client, base)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func probe(ctx context.Context, client *http.Client, base string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/balance", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+SecretKey)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /v1/balance: status %d", resp.StatusCode)
	}
	return nil
}

// maxOutput bounds the output of stripe-mock kept for failure messages.
const maxOutput = 64 << 10

// output keeps the beginning of stripe-mock's output and reports the
// address of its HTTP listener once, from the line
// "Listening for HTTP at address: 127.0.0.1:41234".
type output struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	line      []byte // the incomplete last line
	listening chan string
	reported  bool
}

const listeningPrefix = "Listening for HTTP at address: "

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if room := maxOutput - o.buf.Len(); room > 0 {
		o.buf.Write(p[:min(len(p), room)])
	}
	if o.reported {
		return len(p), nil
	}
	o.line = append(o.line, p...)
	if len(o.line) > maxOutput {
		o.line = nil // no line is that long: give up on this one
	}
	for {
		i := bytes.IndexByte(o.line, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimSpace(string(o.line[:i]))
		o.line = o.line[i+1:]
		if addr, ok := strings.CutPrefix(line, listeningPrefix); ok {
			o.listening <- addr
			o.reported = true
			o.line = nil
			break
		}
	}
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}
