package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/completeevent/completeevent-go/ticketing"
)

// Server timeouts.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	// shutdownTimeout bounds how long in-flight requests may finish after
	// a stop signal.
	shutdownTimeout = 10 * time.Second
)

// config is what the command line and the environment choose.
type config struct {
	addr string
	db   string
}

// parseConfig reads the flags in args over the defaults from the
// environment. It returns flag.ErrHelp after printing the usage for -h.
func parseConfig(args []string, stderr io.Writer, getenv func(string) string) (config, error) {
	cfg := config{
		addr: cmp.Or(getenv("ADDR"), ":8080"),
		db:   cmp.Or(getenv("DATABASE_URL"), "completeevent.db"),
	}
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", cfg.addr, "listen `address` (env ADDR)")
	fs.StringVar(&cfg.db, "db", cfg.db, "`database`: postgres://…, memory, or a SQLite file path (env DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return cfg, nil
}

// run is the whole server: it opens the store, creates the demo
// organization on an empty database, and serves until ctx is done, then
// shuts down gracefully. It prints the demo API key and the address it
// listens on to stdout, and logs to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) (err error) {
	cfg, err := parseConfig(args, stderr, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	store, err := openStore(ctx, cfg.db)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := store.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close store: %w", cerr))
		}
	}()
	svc := ticketing.New(store, &ticketing.Options{Logger: logger})
	if err := ensureDemoOrganization(ctx, store, svc, stdout); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           newServer(store, svc, logger),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "CompleteEvent server listening on http://%s\n", ln.Addr())
	logger.Info("listening", "addr", ln.Addr().String(), "db", storeKind(cfg.db))

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// Requests still running after the timeout lose their connections.
		return errors.Join(fmt.Errorf("shutdown: %w", err), srv.Close())
	}
	<-served // http.ErrServerClosed
	return nil
}
