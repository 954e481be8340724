package mail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultDirFrom is the default of [DirOptions.From].
const DefaultDirFrom = "CompleteEvent <noreply@localhost>"

// DirOptions tunes a [DirMailer]. The zero value, or nil, means every
// default.
type DirOptions struct {
	// From is the default sender, used when Message.From is empty.
	// Defaults to DefaultDirFrom.
	From string

	// Now returns the time written in the Date header and in the file name.
	// Defaults to time.Now.
	Now func() time.Time
}

// DirMailer "sends" each message by writing it, exactly as SMTP would carry
// it (RFC 5322, CRLF line ends), to a new file of its folder, named
//
//	20260415T143200.123456789Z_<message id>.eml
//
// after the UTC time of Send and the Message-ID, so the names sort by time.
// Every mail program opens .eml files. The file appears whole or not at all:
// it is written under a temporary name starting with "." and then renamed.
// Files are readable by their owner only (mode 0600): they hold personal
// data. A DirMailer is safe for concurrent use.
type DirMailer struct {
	dir  string
	from string
	now  func() time.Time
}

var _ Mailer = (*DirMailer)(nil)

// NewDirMailer returns a mailer that writes into dir, creating the folder
// and its parents (mode 0700) when they do not exist. The error matches
// [ErrInvalidConfig] when dir is empty or the default sender is invalid.
func NewDirMailer(dir string, opts *DirOptions) (*DirMailer, error) {
	if opts == nil {
		opts = &DirOptions{}
	}
	if dir == "" {
		return nil, configError("no mail folder")
	}
	d := &DirMailer{dir: dir, from: opts.From, now: opts.Now}
	if d.from == "" {
		d.from = DefaultDirFrom
	}
	if _, err := parseAddress(d.from); err != nil {
		return nil, configError("default sender %q: %v", d.from, err)
	}
	if d.now == nil {
		d.now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mail: create mail folder: %w", err)
	}
	return d, nil
}

// Send writes m to a new .eml file and returns its completion: nil once the
// file is in place under its final name. It returns an error matching
// [ErrInvalidMessage] (and [ErrPermanent]) when m is invalid, ctx's error
// when ctx has ended, and a temporary error when the file cannot be
// written.
func (d *DirMailer) Send(ctx context.Context, m *Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	now := d.now()
	b, err := build(m, d.from, now)
	if err != nil {
		return err
	}
	name := now.UTC().Format("20060102T150405.000000000Z") + "_" + fileSafe(b.messageID) + ".eml"

	tmp, err := os.CreateTemp(d.dir, ".sending-*.eml")
	if err != nil {
		return fmt.Errorf("mail: write message: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := b.msg.WriteTo(tmp); err != nil {
		return fmt.Errorf("mail: write message: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("mail: write message: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("mail: write message: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(d.dir, name)); err != nil {
		return fmt.Errorf("mail: write message: %w", err)
	}
	ok = true
	return nil
}

// fileSafe maps id to a file-name part of at most 200 bytes: letters,
// digits and ".-_@+=" stay, anything else becomes "_".
func fileSafe(id string) string {
	if len(id) > 200 {
		id = id[:200]
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		case strings.ContainsRune(".-_@+=", r):
			return r
		}
		return '_'
	}, id)
}
