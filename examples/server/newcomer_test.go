package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	netmail "net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/webhook"
	"github.com/completeevent/completeevent-go/webhook/webhooktest"
)

// TestNewcomer does what the "done when" says a newcomer does with
// "go run ./examples/server", through the running server: register with
// curl for a free virtual tier, find the guide and join links in the .eml
// the server wrote, see the join link on the guide page, check a ticket
// in once (and be refused the second time), cancel and see the join link
// gone; a webhook receiver on loopback gets the three events, signed.
func TestNewcomer(t *testing.T) {
	t.Parallel()
	mailDir := filepath.Join(t.TempDir(), "mail-out")
	r := startRun(t, "-db", filepath.Join(t.TempDir(), "completeevent.db"), "-dev-webhooks", "-mail-dir", mailDir)
	if out := r.stdout.String(); !strings.Contains(out, mailDir) {
		t.Errorf("got output %q, want it to say that e-mails go to %s", out, mailDir)
	}
	token := apiKeyPattern.FindString(r.stdout.String())

	var endpoint endpointResponse
	if status := r.call(t, "POST", "/v1/webhook-endpoints", token, `{"url":"http://127.0.0.1:9/","eventTypes":["registration.confirmed","registration.cancelled","checkin.completed"]}`, &endpoint); status != http.StatusCreated {
		t.Fatalf("create endpoint: got %d", status)
	}
	rc := webhooktest.NewReceiver(endpoint.Secret, nil)
	t.Cleanup(rc.Close)
	if status := r.call(t, "PATCH", "/v1/webhook-endpoints/"+endpoint.ID, token, `{"url":"`+rc.URL()+`/hooks"}`, nil); status != http.StatusOK {
		t.Fatalf("point the endpoint at the receiver: got %d", status)
	}

	var e ce.Event
	if status := r.call(t, "POST", "/v1/events", token, futureEvent("Autumn meetup"), &e); status != http.StatusCreated {
		t.Fatalf("create event: got %d", status)
	}
	var online, door ce.Tier
	r.call(t, "POST", "/v1/events/"+e.ID+"/tiers", token, freeVirtualTier, &online)
	r.call(t, "POST", "/v1/events/"+e.ID+"/tiers", token, freeInPersonTier, &door)
	if status := r.call(t, "POST", "/v1/events/"+e.ID+"/publish", token, "", nil); status != http.StatusOK {
		t.Fatalf("publish: got %d", status)
	}
	var public publicEventResponse
	if status := r.call(t, "GET", "/v1/public/events/"+e.ID, "", "", &public); status != http.StatusOK || len(public.Tiers) != 2 {
		t.Fatalf("public event: got %d %+v", status, public)
	}

	// Register for the virtual tier, as anyone, without a key.
	var reg publicRegistrationResponse
	if status := r.call(t, "POST", "/v1/public/events/"+e.ID+"/registrations", "", registrationBodyFor(online.ID, "ada@example.org"), &reg); status != http.StatusCreated {
		t.Fatalf("register: got %d", status)
	}
	if !strings.HasPrefix(reg.GuideURL, r.base+"/guide/") {
		t.Fatalf("got guide URL %q, want one under %s", reg.GuideURL, r.base)
	}
	guidePath := strings.TrimPrefix(reg.GuideURL, r.base)

	// The confirmation e-mail holds the guide link and the join link.
	eml := waitForEML(t, mailDir, 1)[0]
	text := emlText(t, eml)
	joinLink := regexp.MustCompile(regexp.QuoteMeta(r.base) + `/join/[0-9a-z]+`).FindString(text)
	if !strings.Contains(text, reg.GuideURL) || joinLink == "" {
		t.Fatalf("the e-mail lacks the guide link %s or a join link:\n%s", reg.GuideURL, text)
	}

	// The guide page shows the join link, which leads to the meeting.
	status, page := r.get(t, guidePath)
	if status != http.StatusOK || !strings.Contains(page, `href="`+strings.TrimPrefix(joinLink, r.base)+`"`) {
		t.Fatalf("guide: got %d, want the join link %s:\n%s", status, joinLink, page)
	}
	if status, location := r.follow(t, strings.TrimPrefix(joinLink, r.base)); status != http.StatusSeeOther || location != "https://meet.example.com/autumn" {
		t.Errorf("join: got %d to %q, want 303 to the meeting", status, location)
	}

	// An in-person ticket: checked in by its code once, refused after.
	var ticket publicRegistrationResponse
	r.call(t, "POST", "/v1/public/events/"+e.ID+"/registrations", "", registrationBodyFor(door.ID, "alan@example.org"), &ticket)
	_, ticketPage := r.get(t, strings.TrimPrefix(ticket.GuideURL, r.base))
	code := regexp.MustCompile(`<p class="code">([0-9a-z]+)</p>`).FindStringSubmatch(ticketPage)
	if code == nil {
		t.Fatalf("the in-person guide shows no ticket code:\n%s", ticketPage)
	}
	checkIn := `{"ticketCode":"` + code[1] + `"}`
	if status := r.call(t, "POST", "/v1/events/"+e.ID+"/checkins", token, checkIn, nil); status != http.StatusOK {
		t.Fatalf("check-in: got %d, want 200", status)
	}
	var refused errorBody
	if status := r.call(t, "POST", "/v1/events/"+e.ID+"/checkins", token, checkIn, &refused); status != http.StatusConflict ||
		!strings.Contains(refused.Error.Message, "already checked in at") {
		t.Errorf("second check-in: got %d %+v, want 409 already checked in", status, refused)
	}

	// Cancel: the join link leaves the guide and stops working.
	if status := r.call(t, "POST", "/v1/registrations/"+reg.ID+"/cancel", token, "", nil); status != http.StatusOK {
		t.Fatalf("cancel: got %d", status)
	}
	if status, page := r.get(t, guidePath); status != http.StatusOK || strings.Contains(page, "/join/") || !strings.Contains(page, "Cancelled") {
		t.Errorf("guide after cancel: got %d, want cancelled without a join link:\n%s", status, page)
	}
	if status, _ := r.follow(t, strings.TrimPrefix(joinLink, r.base)); status != http.StatusGone {
		t.Errorf("join after cancel: got %d, want 410", status)
	}
	// Confirmation ×2, cancellation: three e-mails.
	waitForEML(t, mailDir, 3)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := rc.Wait(ctx, 4)
	if err != nil {
		t.Fatalf("the receiver got %d deliveries: %v", len(rc.Deliveries()), err)
	}
	types := map[string]int{}
	for _, d := range got {
		if d.Err != nil {
			t.Errorf("delivery %s did not verify: %v", d.Event.Type, d.Err)
		}
		types[d.Event.Type]++
		if d.Event.Type == webhook.EventTypeCheckinCompleted {
			var data webhook.CheckinCompleted
			if err := json.Unmarshal(d.Event.Data, &data); err != nil || data.Method != ce.CheckInQR || data.RegistrationID != ticket.ID {
				t.Errorf("checkin.completed: got %s (%v), want the QR check-in of %s", d.Event.Data, err, ticket.ID)
			}
		}
	}
	want := map[string]int{webhook.EventTypeRegistrationConfirmed: 2, webhook.EventTypeCheckinCompleted: 1, webhook.EventTypeRegistrationCancelled: 1}
	if len(types) != len(want) || types[webhook.EventTypeRegistrationConfirmed] != 2 || types[webhook.EventTypeCheckinCompleted] != 1 || types[webhook.EventTypeRegistrationCancelled] != 1 {
		t.Errorf("got deliveries %v, want %v", types, want)
	}
	r.stop(t)
}

// get fetches path from the running server and returns the status and
// body.
func (r *running) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(r.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", redactPath(path), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// follow fetches path without following a redirect and returns the status
// and Location.
func (r *running) follow(t *testing.T, path string) (int, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(r.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", redactPath(path), err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// waitForEML waits until dir holds at least n .eml files and returns them.
func waitForEML(t *testing.T, dir string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		all, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		var files []string
		for _, f := range all {
			// The mailer writes a message to a hidden temporary file
			// first, then renames it.
			if !strings.HasPrefix(filepath.Base(f), ".") {
				files = append(files, f)
			}
		}
		if len(files) >= n {
			return files
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d .eml files in %s within 10s, want %d", len(files), dir, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// emlText returns the decoded text of every text part of the .eml file.
func emlText(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	var out strings.Builder
	walkMIME(t, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, &out)
	return out.String()
}

// walkMIME appends the decoded text parts of a MIME entity to out.
func walkMIME(t *testing.T, contentType, encoding string, body io.Reader, out *strings.Builder) {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediaType = "text/plain"
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("read MIME part: %v", err)
			}
			walkMIME(t, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, out)
		}
	}
	if !strings.HasPrefix(mediaType, "text/") {
		return
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("decode MIME part: %v", err)
	}
	out.Write(b)
	out.WriteString("\n")
}
