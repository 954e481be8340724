package mail_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/completeevent/completeevent-go/mail"
)

// emlFiles returns the names of dir's entries, sorted, failing the test on
// any entry that is not a finished .eml file.
func emlFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || !strings.HasSuffix(e.Name(), ".eml") {
			t.Errorf("stray file %q in the mail folder", e.Name())
			continue
		}
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

func TestDirMailerWritesEML(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "var", "mail") // parents created too
	m, err := mail.NewDirMailer(dir, &mail.DirOptions{Now: fixedNow})
	if err != nil {
		t.Fatalf("NewDirMailer: %v", err)
	}
	if err := m.Send(t.Context(), testMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	names := emlFiles(t, dir)
	want := []string{"20260415T143200.000000000Z_reg_123.confirmation@events.example.org.eml"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	path := filepath.Join(dir, names[0])
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("file mode: got %v, want 0600", got)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "\r\n") || strings.Contains(strings.ReplaceAll(string(raw), "\r\n", ""), "\n") {
		t.Error("line ends: want CRLF only, as on the wire")
	}
	checkParsed(t, parseMessage(t, raw))
}

// TestDirMailerNamesSortByTime sends three messages whose ids sort the
// other way round: the file names still sort in the order of sending.
func TestDirMailerNamesSortByTime(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var mu sync.Mutex
	clock := sendTime
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(1500 * time.Millisecond)
		return clock
	}
	m, err := mail.NewDirMailer(dir, &mail.DirOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"zulu@example.org", "mike@example.org", "alpha@example.org"}
	for _, id := range ids {
		msg := testMessage()
		msg.MessageID = id
		if err := m.Send(t.Context(), msg); err != nil {
			t.Fatalf("Send %s: %v", id, err)
		}
	}
	want := []string{
		"20260415T143201.500000000Z_zulu@example.org.eml",
		"20260415T143203.000000000Z_mike@example.org.eml",
		"20260415T143204.500000000Z_alpha@example.org.eml",
	}
	if diff := cmp.Diff(want, emlFiles(t, dir)); diff != "" {
		t.Errorf("files in name order (-want +got):\n%s", diff)
	}
}

// TestDirMailerDefaults sends a message without sender and Message-ID: the
// default sender and a generated id at its domain appear in the file.
func TestDirMailerDefaults(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m, err := mail.NewDirMailer(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	msg := &mail.Message{To: "ada@example.org", Subject: "Hello", Text: "Hi Ada"}
	before := time.Now()
	if err := m.Send(t.Context(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	names := emlFiles(t, dir)
	if len(names) != 1 {
		t.Fatalf("files: got %q, want one", names)
	}
	if !regexp.MustCompile(`^\d{8}T\d{6}\.\d{9}Z_[a-z2-7]{26}@localhost\.eml$`).MatchString(names[0]) {
		t.Errorf("file name %q: want <UTC time>_<random>@localhost.eml", names[0])
	}
	raw, err := os.ReadFile(filepath.Join(dir, names[0]))
	if err != nil {
		t.Fatal(err)
	}
	p := parseMessage(t, raw)
	if len(p.From) != 1 || p.From[0].String() != `"CompleteEvent" <noreply@localhost>` {
		t.Errorf("From: got %v, want CompleteEvent <noreply@localhost>", p.From)
	}
	_, id, _ := strings.Cut(strings.TrimSuffix(names[0], ".eml"), "_")
	if p.MessageID != "<"+id+">" {
		t.Errorf("Message-ID: got %q, want <%s> as in the file name", p.MessageID, id)
	}
	if p.Date.Before(before.Truncate(time.Second)) || p.Date.After(time.Now()) {
		t.Errorf("Date: got %v, want the time of Send", p.Date)
	}
	if p.Structure != "text/plain" || p.Text != "Hi Ada" {
		t.Errorf("body: got %s %q, want text/plain %q", p.Structure, p.Text, "Hi Ada")
	}
}

func TestDirMailerContextDone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m, err := mail.NewDirMailer(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = m.Send(ctx, testMessage())
	if !errors.Is(err, context.Canceled) || errors.Is(err, mail.ErrPermanent) {
		t.Errorf("Send: got %v, want context.Canceled, temporary", err)
	}
	if names := emlFiles(t, dir); len(names) != 0 {
		t.Errorf("files: got %q, want none", names)
	}
}

func TestDirMailerConcurrentSends(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m, err := mail.NewDirMailer(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			msg := testMessage()
			msg.MessageID = fmt.Sprintf("msg-%02d@example.org", i)
			if err := m.Send(t.Context(), msg); err != nil {
				t.Errorf("Send %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if names := emlFiles(t, dir); len(names) != n {
		t.Errorf("files: got %d, want %d", len(names), n)
	}
}

func TestDirMailerUnwritableFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m, err := mail.NewDirMailer(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	err = m.Send(t.Context(), testMessage())
	if err == nil || errors.Is(err, mail.ErrPermanent) {
		t.Errorf("Send into a removed folder: got %v, want a temporary error", err)
	}
}

func TestNewDirMailerRejects(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		dir        string
		opts       *mail.DirOptions
		wantConfig bool
	}{
		{"empty folder name", "", nil, true},
		{"invalid default sender", t.TempDir(), &mail.DirOptions{From: "no address"}, true},
		{"folder under a file", filepath.Join(file, "mail"), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := mail.NewDirMailer(tt.dir, tt.opts)
			if err == nil || m != nil {
				t.Fatalf("NewDirMailer(%q): got %v, %v; want an error", tt.dir, m, err)
			}
			if got := errors.Is(err, mail.ErrInvalidConfig); got != tt.wantConfig {
				t.Errorf("errors.Is(%v, ErrInvalidConfig): got %v, want %v", err, got, tt.wantConfig)
			}
		})
	}
}

// TestSendRejectsInvalidMessages runs every mailer on invalid messages:
// each is refused before anything is sent or written, with an error that
// matches ErrInvalidMessage and ErrPermanent.
func TestSendRejectsInvalidMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(m *mail.Message)
		want   string // a part of the error text
	}{
		{"no recipient", func(m *mail.Message) { m.To = "" }, "no recipient"},
		{"recipient not an address", func(m *mail.Message) { m.To = "zoe at example.net" }, "to"},
		{"two recipients", func(m *mail.Message) { m.To = "a@example.org, b@example.org" }, "to"},
		{"header injection in recipient", func(m *mail.Message) { m.To = "a@example.org\r\nBcc: x@example.org" }, "to"},
		{"sender not an address", func(m *mail.Message) { m.From = "CompleteEvent" }, "from"},
		{"no body", func(m *mail.Message) { m.Text, m.HTML, m.Inline = "", "", nil }, "no body"},
		{"inline part without HTML", func(m *mail.Message) { m.HTML = "" }, "HTML"},
		{"inline part with a bad content id", func(m *mail.Message) { m.Inline[0].ContentID = "ticket qr" }, "content id"},
		{"inline part without file name", func(m *mail.Message) { m.Inline[0].Filename = "" }, "file name"},
		{"attachment with a bad content type", func(m *mail.Message) { m.Attachments[0].ContentType = "text/calendar\r\nX-Evil: 1" }, "content type"},
		{"attachment with a control character in its name", func(m *mail.Message) { m.Attachments[0].Filename = "a\nb.ics" }, "file name"},
		{"message id without @", func(m *mail.Message) { m.MessageID = "reg_123" }, "message id"},
		{"message id with a space", func(m *mail.Message) { m.MessageID = "reg 123@example.org" }, "message id"},
		{"message id with two @", func(m *mail.Message) { m.MessageID = "a@b@example.org" }, "message id"},
	}
	mailers := map[string]func(t *testing.T) (mail.Mailer, func() int){
		"DirMailer": func(t *testing.T) (mail.Mailer, func() int) {
			dir := t.TempDir()
			m, err := mail.NewDirMailer(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			return m, func() int { return len(emlFiles(t, dir)) }
		},
		"SMTPMailer": func(t *testing.T) (mail.Mailer, func() int) {
			srv := startServer(t, serverConfig{tls: plainText})
			return newSMTPMailer(t, srv.URL("smtp", "", "", "starttls=none"), nil),
				func() int { return len(srv.AttemptIDs()) }
		},
	}
	for mailerName, newMailer := range mailers {
		for _, tt := range tests {
			t.Run(mailerName+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				m, sent := newMailer(t)
				msg := testMessage()
				tt.change(msg)
				err := m.Send(t.Context(), msg)
				if !errors.Is(err, mail.ErrInvalidMessage) || !errors.Is(err, mail.ErrPermanent) {
					t.Fatalf("Send: got %v, want ErrInvalidMessage and ErrPermanent", err)
				}
				if !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error %q: want it to contain %q", err, tt.want)
				}
				if n := sent(); n != 0 {
					t.Errorf("sent or written: got %d, want 0", n)
				}
			})
		}
		t.Run(mailerName+"/nil message", func(t *testing.T) {
			t.Parallel()
			m, _ := newMailer(t)
			if err := m.Send(t.Context(), nil); !errors.Is(err, mail.ErrInvalidMessage) {
				t.Errorf("Send(nil): got %v, want ErrInvalidMessage", err)
			}
		})
	}
}
