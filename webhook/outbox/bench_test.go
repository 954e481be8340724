package outbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/pgstore"
	"github.com/completeevent/completeevent-go/webhook"
	"github.com/completeevent/completeevent-go/webhook/outbox"
)

// benchConcurrency is the number of deliveries in flight in the
// throughput benchmarks, for the worker and the raw loop alike.
const benchConcurrency = 64

// benchReceiver is a loopback receiver that verifies every delivery, as a
// real one does, and counts them; it records nothing else, so that its
// cost stays flat however many deliveries a benchmark sends.
type benchReceiver struct {
	server  *httptest.Server
	count   atomic.Int64
	target  atomic.Int64
	reached chan struct{}
	// onEvent, if set, sees each verified delivery when it arrives.
	onEvent func(ev webhook.Event, at time.Time)
}

func newBenchReceiver(b *testing.B, secret string, onEvent func(webhook.Event, time.Time)) *benchReceiver {
	rc := &benchReceiver{reached: make(chan struct{}, 1), onEvent: onEvent}
	verified := webhook.Middleware(webhook.NewVerifier(secret), nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rc.onEvent != nil {
			ev, _ := webhook.EventFromContext(r.Context())
			rc.onEvent(ev, time.Now())
		}
		if n := rc.count.Add(1); n == rc.target.Load() {
			rc.reached <- struct{}{}
		}
	}))
	rc.server = httptest.NewServer(verified)
	b.Cleanup(rc.server.Close)
	return rc
}

// expect resets the count and sets how many deliveries wait waits for.
func (rc *benchReceiver) expect(n int) {
	rc.count.Store(0)
	rc.target.Store(int64(n))
}

// wait waits until the receiver got what expect said.
func (rc *benchReceiver) wait(b *testing.B) {
	select {
	case <-rc.reached:
	case <-time.After(5 * time.Minute):
		b.Fatalf("receiver: got %d deliveries, want %d", rc.count.Load(), rc.target.Load())
	}
}

// benchSender is a sender to loopback receivers sized for the benchmarks.
func benchSender(b *testing.B) *webhook.Sender {
	s := webhook.NewSender(&webhook.SenderOptions{AllowPrivateNetworks: true, MaxIdleConnsPerHost: benchConcurrency})
	b.Cleanup(s.CloseIdleConnections)
	return s
}

// benchEndpoint stores an endpoint of org subscribed to check-ins that
// sends to url with secret.
func benchEndpoint(b *testing.B, s storage.Store, org *ce.Organization, url, secret string) *ce.WebhookEndpoint {
	now := time.Now()
	e := &ce.WebhookEndpoint{
		ID: ce.NewID(ce.PrefixWebhookEndpoint, now), OrganizationID: org.ID, URL: url,
		EventTypes: []string{ce.EventTypeCheckinCompleted}, Enabled: true, Secret: secret,
		CreatedAt: now, UpdatedAt: now,
	}
	if err := s.WebhookEndpoints().Create(context.Background(), e); err != nil {
		b.Fatalf("create endpoint: %v", err)
	}
	return e
}

// publishBatched dispatches n check-ins of org in transactions of up to
// 500.
func publishBatched(b *testing.B, s storage.Store, org *ce.Organization, n int) {
	d := outbox.NewDispatcher(nil)
	for done := 0; done < n; {
		batch := min(500, n-done)
		err := s.RunInTx(context.Background(), func(ctx context.Context, tx storage.Tx) error {
			for i := range batch {
				if err := d.Dispatch(ctx, org.ID, checkin(done+i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatalf("publish: %v", err)
		}
		done += batch
	}
}

// BenchmarkThroughput measures deliveries per second to one loopback
// receiver at concurrency 64: "raw" is a plain http.Client loop posting
// the same signed bodies, the baseline; the others are a Worker on each
// adapter, from the claim to the recorded attempt. Run with
// -benchtime=20000x, since each op is one delivery and the setup
// publishes b.N messages first.
func BenchmarkThroughput(b *testing.B) {
	b.Run("raw", benchRaw)
	for _, a := range adapters() {
		b.Run(a.name, func(b *testing.B) { benchWorker(b, a) })
	}
}

func benchRaw(b *testing.B) {
	secret := webhook.NewSecret()
	rc := newBenchReceiver(b, secret, nil)
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: benchConcurrency, MaxIdleConnsPerHost: benchConcurrency}}
	b.Cleanup(client.CloseIdleConnections)
	body, err := webhook.Encode(webhook.Event{ID: ce.NewID(ce.PrefixWebhookMessage, time.Now()), Type: webhook.EventTypeCheckinCompleted, Timestamp: time.Now(), Data: mustJSON(b, checkin(0))})
	if err != nil {
		b.Fatal(err)
	}
	header := http.Header{}
	if err := webhook.SetHeaders(header, body, webhook.NewSigner(secret)); err != nil {
		b.Fatal(err)
	}
	rc.expect(b.N)
	var next atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	for range benchConcurrency {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				req, _ := http.NewRequest(http.MethodPost, rc.server.URL, bytes.NewReader(body))
				req.Header = header.Clone()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	rc.wait(b)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}

func benchWorker(b *testing.B, a adapter) {
	benchWorkerOn(b, a.open(b, a.newDB(b)))
}

func benchWorkerOn(b *testing.B, s storage.Store) {
	org := newOrg(b, s)
	secret := webhook.NewSecret()
	rc := newBenchReceiver(b, secret, nil)
	benchEndpoint(b, s, org, rc.server.URL, secret)
	publishBatched(b, s, org, b.N)
	analyze(b, s)
	rc.expect(b.N)
	w := outbox.NewWorker(s, benchSender(b), &outbox.WorkerOptions{
		Concurrency: benchConcurrency, PerEndpoint: benchConcurrency, PollInterval: 10 * time.Millisecond,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	b.ResetTimer()
	go func() { done <- w.Run(ctx) }()
	rc.wait(b)
	cancel()
	if err := <-done; err != nil { // Run returns once every attempt is recorded
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}

// BenchmarkIsolation measures the latency from commit to delivery at a
// healthy endpoint while another endpoint of the organization hangs until
// the attempt timeout (2 s), one publication every 2 ms to both. It
// reports the median and the 99th percentile in milliseconds. Run with
// -benchtime=1000x.
func BenchmarkIsolation(b *testing.B) {
	for _, a := range adapters() {
		b.Run(a.name, func(b *testing.B) { benchIsolation(b, a) })
	}
}

func benchIsolation(b *testing.B, a adapter) {
	s := a.open(b, a.newDB(b))
	org := newOrg(b, s)
	// The latencies are computed once every delivery arrived: a delivery
	// may arrive before the hook that notes its commit time runs.
	var (
		mu        sync.Mutex
		committed = make([]time.Time, b.N)
		arrived   = make([]time.Time, b.N)
	)
	secret := webhook.NewSecret()
	healthy := newBenchReceiver(b, secret, func(ev webhook.Event, at time.Time) {
		var data webhook.CheckinCompleted
		if err := ev.DecodeData(&data); err != nil {
			b.Error(err)
			return
		}
		i, _ := strconv.Atoi(strings.TrimPrefix(data.RegistrationID, "reg_"))
		mu.Lock()
		arrived[i] = at
		mu.Unlock()
	})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Once the body is read, the server notices the client leaving.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	b.Cleanup(hanging.Close)
	benchEndpoint(b, s, org, hanging.URL, webhook.NewSecret())
	benchEndpoint(b, s, org, healthy.server.URL, secret)
	healthy.expect(b.N)

	sender := webhook.NewSender(&webhook.SenderOptions{AllowPrivateNetworks: true, Timeout: 2 * time.Second})
	b.Cleanup(sender.CloseIdleConnections)
	w := outbox.NewWorker(s, sender, nil)
	d := outbox.NewDispatcher(&outbox.DispatcherOptions{Notify: w.Notify})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	b.ResetTimer()
	tick := time.NewTicker(2 * time.Millisecond)
	for i := range b.N {
		<-tick.C
		err := s.RunInTx(context.Background(), func(ctx context.Context, tx storage.Tx) error {
			// Registered first, so it runs before the dispatcher's wake-up.
			tx.AfterCommit(func() {
				mu.Lock()
				committed[i] = time.Now()
				mu.Unlock()
			})
			data := checkin(i)
			data.RegistrationID = fmt.Sprint("reg_", i)
			return d.Dispatch(ctx, org.ID, data)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	tick.Stop()
	healthy.wait(b)
	b.StopTimer()
	cancel()
	<-done
	latencies := make([]time.Duration, b.N)
	for i := range latencies {
		latencies[i] = max(0, arrived[i].Sub(committed[i]))
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[(len(latencies)*99)/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkPublish measures a domain transaction that creates an event,
// alone ("change") and publishing a webhook message to 10 subscribed
// endpoints ("change+publish"): the difference is what publishing costs
// the transaction.
func BenchmarkPublish(b *testing.B) {
	for _, a := range adapters() {
		s := a.open(b, a.newDB(b))
		org := newOrg(b, s)
		for i := range 10 {
			benchEndpoint(b, s, org, fmt.Sprintf("https://crm%d.example.com/hooks", i), webhook.NewSecret())
		}
		d := outbox.NewDispatcher(nil)
		for _, publish := range []bool{false, true} {
			name := a.name + "/change"
			if publish {
				name += "+publish"
			}
			b.Run(name, func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					err := s.RunInTx(context.Background(), func(ctx context.Context, tx storage.Tx) error {
						now := time.Now()
						e := &ce.Event{
							ID: ce.NewID(ce.PrefixEvent, now), OrganizationID: org.ID, Title: "Meetup", TimeZone: "UTC",
							StartsAt: now, EndsAt: now.Add(time.Hour), Status: ce.EventDraft, CreatedAt: now, UpdatedAt: now,
						}
						if err := tx.Events().Create(ctx, e); err != nil {
							return err
						}
						if !publish {
							return nil
						}
						return d.Dispatch(ctx, org.ID, checkin(i))
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// analyze updates PostgreSQL's statistics of the deliveries, as
// autovacuum does in production within a minute: a table that went from
// empty to b.N pending rows since, with no statistics, makes the planner
// sort every due row at each claim instead of reading the due index in
// order.
func analyze(b *testing.B, s storage.Store) {
	if pg, ok := s.(*pgstore.Store); ok {
		if _, err := pg.DB().ExecContext(context.Background(), "ANALYZE ce_webhook_deliveries"); err != nil {
			b.Fatal(err)
		}
	}
}

// mustJSON returns v as JSON.
func mustJSON(b *testing.B, v any) json.RawMessage {
	raw, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}
