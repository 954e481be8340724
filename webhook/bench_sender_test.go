package webhook_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/completeevent/completeevent-go/webhook"
)

// benchParallelism makes RunParallel run 32 goroutines per GOMAXPROCS: a
// concurrency of 64 on the 2-core machine the issue measures on.
const benchParallelism = 32

// benchReceiver starts a plain-HTTP loopback receiver that reads each body
// and answers 204, the same for both benchmarks.
func benchReceiver(b *testing.B) *receiver {
	return newReceiver(b, false, nil)
}

// BenchmarkSend measures Sender.Send posting a 1 KiB envelope to a loopback
// receiver at concurrency 64: headers (body decode and two HMACs), the
// trace, the attempt's context, the excerpt and the classification.
// BenchmarkRawHTTPClient is its baseline.
func BenchmarkSend(b *testing.B) {
	rc := benchReceiver(b)
	s := newDevSender(b, webhook.SenderOptions{})
	d := webhook.Delivery{URL: rc.URL + "/hook", Body: paddedBody(1 << 10), Signer: webhook.NewSigner(testSecret)}
	b.SetBytes(int64(len(d.Body)))
	b.SetParallelism(benchParallelism)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if res := s.Send(ctx, d); res.StatusCode != http.StatusNoContent {
				b.Errorf("Send: got %d, %v", res.StatusCode, res.Err)
				return
			}
		}
	})
}

// BenchmarkRawHTTPClient is the baseline of BenchmarkSend: a plain
// http.Client, with idle connections sized to the concurrency, posting the
// same body to the same kind of receiver, with no signature, no trace, no
// timeout and no address check.
func BenchmarkRawHTTPClient(b *testing.B) { benchmarkRawHTTPClient(b, false) }

// BenchmarkRawHTTPClientSigned is BenchmarkRawHTTPClient plus SetHeaders:
// the cost of the wire format (signing, and the receiver parsing seven more
// headers), so that BenchmarkSend's remaining overhead is the Sender's own.
func BenchmarkRawHTTPClientSigned(b *testing.B) { benchmarkRawHTTPClient(b, true) }

func benchmarkRawHTTPClient(b *testing.B, signed bool) {
	rc := benchReceiver(b)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	b.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr}
	body := paddedBody(1 << 10)
	signer := webhook.NewSigner(testSecret)
	b.SetBytes(int64(len(body)))
	b.SetParallelism(benchParallelism)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, err := http.NewRequest(http.MethodPost, rc.URL+"/hook", bytes.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			req.Header.Set("Content-Type", webhook.ContentType)
			if signed {
				if err := webhook.SetHeaders(req.Header, body, signer); err != nil {
					b.Error(err)
					return
				}
			}
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent {
				b.Errorf("got status %d", resp.StatusCode)
				return
			}
		}
	})
}
