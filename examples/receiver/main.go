// Command receiver is a minimal CompleteEvent webhook receiver: it listens,
// verifies every delivery with package webhook's middleware, and prints each
// event. It imports package webhook only, as a real receiver would.
//
// Usage:
//
//	go run ./examples/receiver -secret whsec_… [-previous whsec_…] [-addr :9000]
//
// Deliveries go to POST /webhook. See README.md for a request to try with
// curl and openssl.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/completeevent/completeevent-go/webhook"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "receiver:", err)
		os.Exit(2)
	}
}

// run parses args, then serves until ctx ends. Events go to stdout, the log
// to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("receiver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	secret := fs.String("secret", "", "the endpoint's signing secret, whsec_… (required)")
	previous := fs.String("previous", "", "the previous secret, also accepted while a rotation overlaps")
	addr := fs.String("addr", ":9000", "the address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *secret == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("usage: receiver -secret whsec_… [-previous whsec_…] [-addr :9000]")
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           newHandler(*secret, *previous, stdout, logger),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("listening", "url", "http://"+ln.Addr().String()+"/webhook")

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	<-served
	logger.Info("stopped")
	return nil
}

// newHandler returns the receiver's routes: POST /webhook, verified by the
// middleware with duplicate suppression, printing each event to out.
func newHandler(secret, previous string, out io.Writer, logger *slog.Logger) http.Handler {
	v := webhook.NewVerifier(secret, previous)
	verify := webhook.Middleware(v, &webhook.MiddlewareOptions{
		Deduplicator: &webhook.MemoryDeduplicator{},
		Logger:       logger,
	})
	p := &printer{out: out}
	mux := http.NewServeMux()
	mux.Handle("POST /webhook", verify(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, _ := webhook.EventFromContext(r.Context())
		if err := p.print(ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})))
	return mux
}

// printer writes events to out, one at a time.
type printer struct {
	mu  sync.Mutex
	out io.Writer
}

// print writes a summary line of ev and its data, indented. It returns an
// error if the data does not decode.
func (p *printer) print(ev webhook.Event) error {
	summary, err := summarize(ev)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(ev.Data, "  ", "  ")
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err = fmt.Fprintf(p.out, "%s %s %s\n  %s\n  %s\n",
		ev.Timestamp.Format(time.RFC3339), ev.Type, ev.ID, summary, data)
	return err
}

// summarize describes ev in one line, from its typed data.
func summarize(ev webhook.Event) (string, error) {
	switch ev.Type {
	case webhook.EventTypeRegistrationConfirmed:
		var d webhook.RegistrationConfirmed
		err := ev.DecodeData(&d)
		return fmt.Sprintf("%s %s <%s> confirmed for %q (virtual: %v), paid %d %s in minor units",
			d.FirstName, d.LastName, d.Email, d.TierName, d.Virtual, d.Amount, d.Currency), err
	case webhook.EventTypeRegistrationCancelled:
		var d webhook.RegistrationCancelled
		err := ev.DecodeData(&d)
		return fmt.Sprintf("%s %s <%s> cancelled from %q", d.FirstName, d.LastName, d.Email, d.TierName), err
	case webhook.EventTypeCheckinCompleted:
		var d webhook.CheckinCompleted
		err := ev.DecodeData(&d)
		return fmt.Sprintf("%s %s <%s> checked in (%s)", d.FirstName, d.LastName, d.Email, d.Method), err
	case webhook.EventTypeAuctionItemPaid:
		var d webhook.AuctionItemPaid
		err := ev.DecodeData(&d)
		return fmt.Sprintf("%s %s <%s> paid %d %s in minor units for %q", d.FirstName, d.LastName, d.Email, d.Amount, d.Currency, d.ItemTitle), err
	case webhook.EventTypePing:
		var d webhook.Ping
		err := ev.DecodeData(&d)
		return fmt.Sprintf("ping from endpoint %s", d.EndpointID), err
	}
	return "an event type this receiver does not know", nil
}
