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
	"github.com/completeevent/completeevent-go/ticketing/stripepay"
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
	// stripeTimeout bounds one request to Stripe's API, well within the
	// write timeout of the request that makes it.
	stripeTimeout = 20 * time.Second
	// maintenanceInterval is how often the maintenance worker closes the
	// auction items whose closing time has come and releases the seats of
	// registrations whose payment never completed.
	maintenanceInterval = 5 * time.Second
)

// stripeCheckoutOrigin is where Stripe Checkout pages are served: the
// attendee pages' forms may lead there (their CSP's form-action).
const stripeCheckoutOrigin = "https://checkout.stripe.com"

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
	// stripeSecretKey, if set, turns payments on: priced tiers and
	// auction items are paid through Stripe Checkout. Never printed.
	stripeSecretKey string
	// stripeWebhookSecret is the signing secret of the Stripe webhook
	// endpoint (/stripe/webhook); required with stripeSecretKey.
	stripeWebhookSecret string
	// stripeAPIURL replaces Stripe's API URL, e.g. with a stripe-mock's;
	// empty means https://api.stripe.com.
	stripeAPIURL string
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

		stripeSecretKey:     getenv("STRIPE_SECRET_KEY"),
		stripeWebhookSecret: getenv("STRIPE_WEBHOOK_SECRET"),
		stripeAPIURL:        getenv("STRIPE_API_URL"),
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
	fs.StringVar(&cfg.stripeSecretKey, "stripe-secret-key", cfg.stripeSecretKey,
		"Stripe secret `key` (sk_live_…, sk_test_…): take payments for priced tiers and auction items through Stripe Checkout; "+
			"prefer the environment, as flags show in process lists (env STRIPE_SECRET_KEY; default: no payments, priced tiers refused)")
	fs.StringVar(&cfg.stripeWebhookSecret, "stripe-webhook-secret", cfg.stripeWebhookSecret,
		"signing `secret` (whsec_…) of the Stripe webhook endpoint pointing at <base URL>/stripe/webhook; required with a Stripe key (env STRIPE_WEBHOOK_SECRET)")
	fs.StringVar(&cfg.stripeAPIURL, "stripe-api-url", cfg.stripeAPIURL,
		"Stripe API base `URL`, e.g. a stripe-mock's for tests (env STRIPE_API_URL; default https://api.stripe.com)")
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
	if err := checkStripeConfig(cfg); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// checkStripeConfig refuses Stripe settings that cannot work together: a
// key without the webhook secret would take payments and never learn of
// them, and a webhook secret or API URL without a key would leave payments
// off without a word.
func checkStripeConfig(cfg config) error {
	switch {
	case cfg.stripeSecretKey == "" && cfg.stripeWebhookSecret != "":
		return errors.New("-stripe-webhook-secret (STRIPE_WEBHOOK_SECRET) is set but -stripe-secret-key (STRIPE_SECRET_KEY) is not: set both to take payments, or neither")
	case cfg.stripeSecretKey == "" && cfg.stripeAPIURL != "":
		return errors.New("-stripe-api-url (STRIPE_API_URL) is set but -stripe-secret-key (STRIPE_SECRET_KEY) is not: set the key to take payments, or drop the URL")
	case cfg.stripeSecretKey != "" && cfg.stripeWebhookSecret == "":
		return errors.New("-stripe-secret-key (STRIPE_SECRET_KEY) needs -stripe-webhook-secret (STRIPE_WEBHOOK_SECRET), the signing secret (whsec_…) " +
			"of the Stripe webhook endpoint for <base URL>/stripe/webhook: without it no payment is ever confirmed")
	}
	if cfg.stripeAPIURL != "" {
		u, err := url.Parse(cfg.stripeAPIURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return fmt.Errorf("-stripe-api-url: want an absolute http or https URL such as http://127.0.0.1:12111, got %q", cfg.stripeAPIURL)
		}
	}
	return nil
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
	payments, err := openPayments(cfg, stdout)
	if err != nil {
		return err
	}
	opts := serverOptions{}
	svcOpts := &ticketing.Options{
		Logger:      logger,
		Dispatcher:  outbox.NewDispatcher(&outbox.DispatcherOptions{Notify: hookWorker.Notify}),
		EmailQueued: func() { mailWorker.Notify() },
	}
	if payments != nil {
		// Checkout sends the payer back to the event guide.
		svcOpts.Payments, svcOpts.PublicURL = payments, baseURL
		opts.payments, opts.checkoutOrigins = true, []string{stripeCheckoutOrigin}
	}
	svc := ticketing.New(store, svcOpts)
	mailWorker = notify.NewWorker(store, svc, mailer, renderer, &notify.WorkerOptions{Logger: logger})
	if err := ensureDemoOrganization(ctx, store, svc, stdout); err != nil {
		return err
	}

	// The workers outlive the HTTP server: stopped after it, they finish
	// the deliveries and e-mails in flight before the store closes.
	workerCtx, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	hooksDone, mailDone, maintenanceDone := make(chan error, 1), make(chan error, 1), make(chan error, 1)
	go func() { hooksDone <- hookWorker.Run(workerCtx) }()
	go func() { mailDone <- mailWorker.Run(workerCtx) }()
	// Auction items close at their closing time, picking their winners;
	// seats held for payments that never completed are given back.
	go func() { maintenanceDone <- svc.RunMaintenance(workerCtx, maintenanceInterval) }()
	defer func() {
		logger.Info("draining webhook deliveries and e-mails")
		stopWorkers()
		if werr := <-maintenanceDone; werr != nil {
			err = errors.Join(err, fmt.Errorf("maintenance worker: %w", werr))
		}
		if werr := <-hooksDone; werr != nil {
			err = errors.Join(err, fmt.Errorf("webhook worker: %w", werr))
		}
		if werr := <-mailDone; werr != nil {
			err = errors.Join(err, fmt.Errorf("mail worker: %w", werr))
		}
	}()

	srv := &http.Server{
		Handler:           newServer(store, svc, recurrence.New(store, &recurrence.Options{Logger: logger}), hooks, logger, baseURL, opts),
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

// openPayments returns the Stripe payments cfg configures, or nil without
// a Stripe key, and says which on stdout, never with the key or the
// webhook secret.
func openPayments(cfg config, stdout io.Writer) (*stripepay.Payments, error) {
	if cfg.stripeSecretKey == "" {
		fmt.Fprintln(stdout, "Payments are off: registrations for priced tiers are refused and auction items cannot be paid\n"+
			"(set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET to take payments through Stripe).")
		return nil, nil
	}
	p, err := stripepay.New(stripepay.Config{
		SecretKey:     cfg.stripeSecretKey,
		WebhookSecret: cfg.stripeWebhookSecret,
		APIBaseURL:    cfg.stripeAPIURL,
		HTTPClient:    &http.Client{Timeout: stripeTimeout},
	})
	if err != nil {
		return nil, fmt.Errorf("stripe: %w", err)
	}
	mode := "live"
	if strings.Contains(cfg.stripeSecretKey, "_test_") {
		mode = "test"
	}
	where := "Stripe"
	if cfg.stripeAPIURL != "" {
		where = "the Stripe API at " + cfg.stripeAPIURL
	}
	fmt.Fprintf(stdout, "Payments are taken through %s (%s mode); Stripe's callbacks go to /stripe/webhook.\n", where, mode)
	return p, nil
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
