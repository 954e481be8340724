package mail_test

import (
	"errors"
	"mime"
	netmail "net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/completeevent/completeevent-go/mail"
)

// FuzzDirMailerHeaders sends messages whose recipient name, subject and
// body come from outside (an attendee's name, an organizer's event title):
// each is either refused as invalid or read back unchanged, and never adds
// a header.
func FuzzDirMailerHeaders(f *testing.F) {
	f.Add("Zoë Müller", "zoe@example.net", "Your ticket for GopherCon ☕", "Hello\n.\n")
	f.Add("Ada\r\nBcc: evil@example.org", "ada@example.org", "Hi\r\nBcc: evil@example.org", "x")
	f.Add(`"quoted" <name>`, "a.b+c@example.org", strings.Repeat("long subject ", 40), strings.Repeat("é", 500))
	f.Add("", "ada@[127.0.0.1]", "", "body")
	dir := f.TempDir()
	m, err := mail.NewDirMailer(dir, &mail.DirOptions{Now: fixedNow})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name, addr, subject, text string) {
		to := (&netmail.Address{Name: name, Address: addr}).String()
		msg := &mail.Message{To: to, Subject: subject, Text: text, MessageID: "fuzz@example.org"}
		path := filepath.Join(dir, "20260415T143200.000000000Z_fuzz@example.org.eml")
		defer os.Remove(path)
		err := m.Send(t.Context(), msg)
		if errors.Is(err, mail.ErrInvalidMessage) {
			return
		}
		if err != nil {
			t.Fatalf("Send(To %q): %v", to, err)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := netmail.ReadMessage(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		var keys []string
		for k := range parsed.Header {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		want := []string{"Content-Transfer-Encoding", "Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"}
		if text == "" {
			want = slices.DeleteFunc(want, func(k string) bool { return k == "Content-Transfer-Encoding" })
		}
		if !slices.Equal(keys, want) {
			t.Errorf("headers: got %q, want %q", keys, want)
		}
		got, err := parsed.Header.AddressList("To")
		wantTo, _ := netmail.ParseAddress(to)
		if err != nil || len(got) != 1 || got[0].Address != wantTo.Address || got[0].Name != wantTo.Name {
			t.Errorf("To: got %v (%v), want %v", got, err, wantTo)
		}
		if utf8.ValidString(subject) {
			gotSubject, err := new(mime.WordDecoder).DecodeHeader(unfoldedHeader(t, raw, "Subject"))
			// A header value's surrounding white space is not part of it.
			if err != nil || strings.TrimSpace(gotSubject) != strings.TrimSpace(subject) {
				t.Errorf("Subject: got %q (%v), want %q", gotSubject, err, subject)
			}
		}
	})
}

// unfoldedHeader returns the value of the header key in the raw message,
// unfolded as RFC 5322 section 2.2.3 says: only the CRLF of a fold is
// removed. net/textproto also collapses the white space around a fold
// ("a  b" folded after the first space reads back as "a b"), which would
// hide whether the message itself kept every space.
func unfoldedHeader(t *testing.T, raw []byte, key string) string {
	t.Helper()
	head, _, ok := strings.Cut(string(raw), "\r\n\r\n")
	if !ok {
		t.Fatalf("no end of header in %q", raw)
	}
	head = strings.NewReplacer("\r\n ", " ", "\r\n\t", "\t").Replace(head)
	for line := range strings.SplitSeq(head, "\r\n") {
		if value, ok := strings.CutPrefix(line, key+":"); ok {
			return value
		}
	}
	t.Fatalf("no %s header in %q", key, raw)
	return ""
}
