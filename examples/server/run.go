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
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/completeevent/completeevent-go/mail"
	"github.com/completeevent/completeevent-go/recurrence"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/notify"
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

// defaultMailDir is where e-mails go without an SMTP server: a folder a
// newcomer can open.
const defaultMailDir = "mail-out"

// config is what the command line and the environment choose.
type config struct {
	addr string
	db   string
	// devWebhooks lets webhook endpoints use plain http and loopback or
	// private addresses: for development only.
	devWebhooks bool
	// baseURL is the server's address as attendees reach it, for the
	// links in the API's answers and in e-mails; empty means
	// http://localhost:<port> of the listen address.
	baseURL string
	// smtpURL, if set, names the SMTP server that sends the e-mails to
	// attendees; it may hold a password.
	smtpURL string
	// mailDir is the folder the e-mails are written to, as .eml files,
	// without an SMTP URL.
	mailDir string
	// mailFrom is the sender of the e-mails; empty means the mailer's
	// default (the SMTP URL's from parameter, or a noreply@localhost).
	mailFrom string
}

// parseConfig reads the flags in args over the defaults from the
// environment. It returns flag.ErrHelp after printing the usage for -h.
func parseConfig(args []string, stderr io.Writer, getenv func(string) string) (config, error) {
	cfg := config{
		addr:     cmp.Or(getenv("ADDR"), ":8080"),
		db:       cmp.Or(getenv("DATABASE_URL"), "completeevent.db"),
		baseURL:  getenv("BASE_URL"),
		smtpURL:  getenv("SMTP_URL"),
		mailDir:  cmp.Or(getenv("MAIL_DIR"), defaultMailDir),
		mailFrom: getenv("MAIL_FROM"),
	}
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", cfg.addr, "listen `address` (env ADDR)")
	fs.StringVar(&cfg.db, "db", cfg.db, "`database`: postgres://…, memory, or a SQLite file path (env DATABASE_URL)")
	fs.StringVar(&cfg.baseURL, "base-url", cfg.baseURL,
		"public `URL` of this server, for the links in answers and e-mails, e.g. https://events.example.org (env BASE_URL; default http://localhost:<port>)")
	fs.StringVar(&cfg.smtpURL, "smtp-url", cfg.smtpURL,
		"`SMTP server` that sends the e-mails to attendees: smtp://user:password@host:587?from=tickets%40example.org, or smtps://… (env SMTP_URL; default: write them to -mail-dir)")
	fs.StringVar(&cfg.mailDir, "mail-dir", cfg.mailDir,
		"`folder` the e-mails to attendees are written to as .eml files when no SMTP server is set; created if missing (env MAIL_DIR)")
	fs.StringVar(&cfg.mailFrom, "mail-from", cfg.mailFrom,
		"`sender` of the e-mails, e.g. \"Acme Events <tickets@example.org>\" (env MAIL_FROM; default the SMTP URL's from, or noreply@localhost)")
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
	if cfg.baseURL != "" {
		u, err := url.Parse(cfg.baseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return config{}, fmt.Errorf("-base-url: want an absolute http or https URL such as https://events.example.org, got %q", cfg.baseURL)
		}
		cfg.baseURL = strings.TrimSuffix(cfg.baseURL, "/")
	}
	return cfg, nil
}

// defaultBaseURL is the base URL of a server listening on addr:
// http://localhost:<port> when it listens on every interface or on
// loopback, else http://<addr>.
func defaultBaseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// run is the whole server: it opens the store, creates the demo
// organization on an empty database, and serves until ctx is done, then
// shuts down gracefully. It prints the demo API key, where e-mails go and
// the address it listens on to stdout, and logs to stderr.
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
	// Listen first: the default base URL needs the port. Connections
	// wait in the backlog until Serve.
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	defer ln.Close() // Shutdown closes it too; a second Close is harmless
	baseURL := cmp.Or(cfg.baseURL, defaultBaseURL(ln.Addr()))
	mailer, err := openMailer(cfg, stdout)
	if err != nil {
		return err
	}
	renderer, err := notify.NewRenderer(baseURL, nil)
	if err != nil {
		return err
	}

	if cfg.devWebhooks {
		warnDevWebhooks(stdout, logger)
	}
	sender := webhook.NewSender(&webhook.SenderOptions{AllowPrivateNetworks: cfg.devWebhooks})
	defer sender.CloseIdleConnections()
	hookWorker := outbox.NewWorker(store, sender, &outbox.WorkerOptions{Logger: logger})
	hooks := outbox.NewService(store, sender, &outbox.Options{
		Logger: logger, AllowPrivateNetworks: cfg.devWebhooks, Notify: hookWorker.Notify,
	})
	// Registrations, cancellations and check-ins publish their webhooks
	// and queue their e-mails in their own transactions; a commit wakes
	// the worker concerned. The mail worker reads the registrations
	// through svc, which wakes it: mailWorker is set before any request.
	var mailWorker *notify.Worker
	svc := ticketing.New(store, &ticketing.Options{
		Logger:      logger,
		Dispatcher:  outbox.NewDispatcher(&outbox.DispatcherOptions{Notify: hookWorker.Notify}),
		EmailQueued: func() { mailWorker.Notify() },
	})
	mailWorker = notify.NewWorker(store, svc, mailer, renderer, &notify.WorkerOptions{Logger: logger})
	if err := ensureDemoOrganization(ctx, store, svc, stdout); err != nil {
		return err
	}

	// The workers outlive the HTTP server: stopped after it, they finish
	// the deliveries and e-mails in flight before the store closes.
	workerCtx, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	hooksDone, mailDone := make(chan error, 1), make(chan error, 1)
	go func() { hooksDone <- hookWorker.Run(workerCtx) }()
	go func() { mailDone <- mailWorker.Run(workerCtx) }()
	defer func() {
		logger.Info("draining webhook deliveries and e-mails")
		stopWorkers()
		if werr := <-hooksDone; werr != nil {
			err = errors.Join(err, fmt.Errorf("webhook worker: %w", werr))
		}
		if werr := <-mailDone; werr != nil {
			err = errors.Join(err, fmt.Errorf("mail worker: %w", werr))
		}
	}()

	srv := &http.Server{
		Handler:           newServer(store, svc, recurrence.New(store, &recurrence.Options{Logger: logger}), hooks, logger, baseURL),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "CompleteEvent server listening on http://%s\n", ln.Addr())
	logger.Info("listening", "addr", ln.Addr().String(), "db", storeKind(cfg.db), "baseURL", baseURL)

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

// openMailer returns the mailer cfg chooses: SMTP if an SMTP URL is set,
// else one that writes .eml files into the mail folder, creating it. It
// says which on stdout, never with the SMTP URL, which may hold a
// password.
func openMailer(cfg config, stdout io.Writer) (mail.Mailer, error) {
	if cfg.smtpURL != "" {
		m, err := mail.NewSMTPMailer(cfg.smtpURL, &mail.SMTPOptions{From: cfg.mailFrom})
		if err != nil {
			return nil, fmt.Errorf("-smtp-url: %w", err)
		}
		fmt.Fprintln(stdout, "E-mails to attendees are sent through the SMTP server of -smtp-url (SMTP_URL).")
		return m, nil
	}
	m, err := mail.NewDirMailer(cfg.mailDir, &mail.DirOptions{From: cfg.mailFrom})
	if err != nil {
		return nil, fmt.Errorf("-mail-dir: %w", err)
	}
	dir := cfg.mailDir
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	fmt.Fprintf(stdout, "E-mails to attendees are not sent: they are written as .eml files to %s\n"+
		"(set -smtp-url or SMTP_URL to send them).\n", dir)
	return m, nil
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
