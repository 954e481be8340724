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
	"strconv"
	"strings"
	"time"

	"github.com/completeevent/completeevent-go/recurrence"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/webhook"
	"github.com/completeevent/completeevent-go/webhook/outbox"
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
	// devWebhooks lets webhook endpoints use plain http and loopback or
	// private addresses: for development only.
	devWebhooks bool
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
	if v := getenv("DEV_WEBHOOKS"); v != "" {
		dev, err := strconv.ParseBool(v)
		if err != nil {
			return config{}, fmt.Errorf("DEV_WEBHOOKS: want 1 or 0, got %q", v)
		}
		cfg.devWebhooks = dev
	}
	fs.BoolVar(&cfg.devWebhooks, "dev-webhooks", cfg.devWebhooks,
		"DEVELOPMENT ONLY: let webhook endpoints use plain http and loopback, private and metadata addresses (env DEV_WEBHOOKS=1)")
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

	if cfg.devWebhooks {
		warnDevWebhooks(stdout, logger)
	}
	sender := webhook.NewSender(&webhook.SenderOptions{AllowPrivateNetworks: cfg.devWebhooks})
	defer sender.CloseIdleConnections()
	worker := outbox.NewWorker(store, sender, &outbox.WorkerOptions{Logger: logger})
	hooks := outbox.NewService(store, sender, &outbox.Options{
		Logger: logger, AllowPrivateNetworks: cfg.devWebhooks, Notify: worker.Notify,
	})
	// The worker outlives the HTTP server: stopped after it, it drains
	// the deliveries in flight before the store closes.
	workerCtx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	worked := make(chan error, 1)
	go func() { worked <- worker.Run(workerCtx) }()
	defer func() {
		logger.Info("draining webhook deliveries")
		stopWorker()
		if werr := <-worked; werr != nil {
			err = errors.Join(err, fmt.Errorf("webhook worker: %w", werr))
		}
	}()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           newServer(store, svc, recurrence.New(store, &recurrence.Options{Logger: logger}), hooks, logger),
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

// devWebhooksWarning is what the server prints at start with -dev-webhooks.
const devWebhooksWarning = `WARNING: -dev-webhooks is on.
Webhook endpoints may use plain http and loopback, private, link-local
and cloud metadata addresses: anyone with an API key can make this
server send requests into its own network. For development only;
never run a server reachable by others this way.`

// warnDevWebhooks prints the warning of -dev-webhooks loudly to stdout and
// logs it.
func warnDevWebhooks(stdout io.Writer, logger *slog.Logger) {
	lines := strings.Split(devWebhooksWarning, "\n")
	width := 0
	for _, l := range lines {
		width = max(width, len(l))
	}
	bar := strings.Repeat("!", width+6)
	fmt.Fprintf(stdout, "\n%s\n", bar)
	for _, l := range lines {
		fmt.Fprintf(stdout, "!! %-*s !!\n", width, l)
	}
	fmt.Fprintf(stdout, "%s\n\n", bar)
	logger.Warn("development webhooks: endpoints may use plain http and private addresses", "flag", "-dev-webhooks")
}
