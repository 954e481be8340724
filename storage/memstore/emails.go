package memstore

import (
	"cmp"
	"container/heap"
	"context"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// emailData is the e-mail outbox. Like the webhook deliveries, pending
// e-mails are indexed by when they are due (see dueEntry), so that a claim
// costs what it takes.
type emailData struct {
	records map[string]emailRow
	due     *dueQueue
}

func newEmailData() emailData {
	return emailData{records: map[string]emailRow{}, due: &dueQueue{}}
}

// emailRow is a stored e-mail and the sequence number of its latest
// claim. Finish increments it too, so that a finished claim never matches
// again.
type emailRow struct {
	ce.Email
	lease int64
}

// schedule pushes the entry that makes the e-mail due at at; the zero
// time is never due. A rollback needs no undo: the entry turns stale with
// the e-mail.
func (m *emailData) schedule(id string, at time.Time) {
	if !at.IsZero() {
		heap.Push(m.due, dueEntry{at: at.UnixMicro(), id: id})
	}
}

func normalizeEmail(e *ce.Email) {
	for _, t := range []*time.Time{&e.NextAttemptAt, &e.SentAt, &e.CreatedAt, &e.UpdatedAt} {
		*t = storage.NormalizeTime(*t)
	}
}

type emails struct{ s session }

func (r emails) Enqueue(ctx context.Context, e *ce.Email) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		if _, err := d.registration(e.OrganizationID, e.RegistrationID); err != nil {
			return err
		}
		m := &d.emails
		if _, ok := m.records[e.ID]; ok {
			return ce.Conflict("e-mail %s already exists", e.ID)
		}
		normalizeEmail(e)
		put(m.records, e.ID, emailRow{Email: *e}, undo)
		if e.Status == ce.EmailPending {
			m.schedule(e.ID, e.NextAttemptAt)
		}
		return nil
	})
}

func (r emails) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int, worker string) ([]storage.ClaimedEmail, error) {
	var out []storage.ClaimedEmail
	err := r.s.do(ctx, func(d *data, undo func(func())) error {
		m := &d.emails
		now := storage.NormalizeTime(now)
		until := storage.NormalizeTime(now.Add(lease))
		for len(out) < limit && m.due.Len() > 0 && (*m.due)[0].at <= now.UnixMicro() {
			entry := heap.Pop(m.due).(dueEntry)
			if undo != nil {
				undo(func() { heap.Push(m.due, entry) })
			}
			row, ok := m.records[entry.id]
			if !ok || row.Status != ce.EmailPending || row.NextAttemptAt.UnixMicro() != entry.at {
				continue // stale
			}
			row.lease++
			row.NextAttemptAt, row.UpdatedAt = until, now
			put(m.records, row.ID, row, undo)
			m.schedule(row.ID, until)
			out = append(out, storage.ClaimedEmail{Email: row.Email, Seq: row.lease})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (r emails) Finish(ctx context.Context, now time.Time, o storage.EmailOutcome) (bool, error) {
	done := false
	err := r.s.do(ctx, func(d *data, undo func(func())) error {
		m := &d.emails
		row, ok := m.records[o.EmailID]
		if !ok || row.lease != o.Seq {
			return nil
		}
		now := storage.NormalizeTime(now)
		row.lease++
		row.Attempts++
		row.Status, row.LastError, row.UpdatedAt = o.Status, o.Error, now
		row.NextAttemptAt = time.Time{}
		if o.Status == ce.EmailPending {
			row.NextAttemptAt = storage.NormalizeTime(o.NextAttemptAt)
			m.schedule(row.ID, row.NextAttemptAt)
		}
		if o.Status == ce.EmailSent {
			row.SentAt = now
		}
		put(m.records, row.ID, row, undo)
		done = true
		return nil
	})
	return done, err
}

func (r emails) ListByRegistration(ctx context.Context, organizationID, registrationID string) ([]*ce.Email, error) {
	var out []*ce.Email
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		rows := collect(d.emails.records, func(row emailRow) bool {
			return row.OrganizationID == organizationID && row.RegistrationID == registrationID
		}, func(a, b *emailRow) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
		})
		out = make([]*ce.Email, len(rows))
		for i, row := range rows {
			out[i] = &row.Email
		}
		return nil
	})
	return out, err
}
