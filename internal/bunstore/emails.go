package bunstore

import (
	"context"
	"fmt"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

type emails struct{ repos }

func (r emails) Enqueue(ctx context.Context, e *ce.Email) error {
	m := newEmailModel(e)
	if err := r.insert(ctx, m, "enqueue e-mail "+e.ID,
		"e-mail "+e.ID+" already exists",
		"registration "+e.RegistrationID+" not found"); err != nil {
		return err
	}
	*e = *m.domain()
	return nil
}

// claimEmailsSQL leases the due e-mails in one statement, as claimSQL
// does the webhook deliveries: the subquery picks them in due order, the
// UPDATE leases them. The %s locks the chosen rows on PostgreSQL (FOR
// UPDATE SKIP LOCKED), so that concurrent claimers skip each other's rows
// instead of waiting for them or taking them twice; SQLite runs one writer
// at a time and needs no lock.
const claimEmailsSQL = `UPDATE ce_emails
SET lease = lease + 1, leased_by = ?, next_attempt_at = ?, updated_at = ?
WHERE id IN (
	SELECT c.id FROM ce_emails AS c
	WHERE c.status = 'pending' AND c.next_attempt_at <= ?
	ORDER BY c.next_attempt_at, c.id
	LIMIT ?%s
)
RETURNING *`

func (r emails) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int, worker string) ([]storage.ClaimedEmail, error) {
	if limit <= 0 {
		return nil, r.check()
	}
	release, err := r.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	locking := ""
	if r.pg {
		locking = " FOR UPDATE OF c SKIP LOCKED"
	}
	now = storage.NormalizeTime(now)
	var ms []emailModel
	err = r.db.NewRaw(fmt.Sprintf(claimEmailsSQL, locking),
		worker, storage.NormalizeTime(now.Add(lease)), now, now, limit).
		Scan(ctx, &ms)
	if err != nil {
		return nil, r.fail(err, "claim e-mails", "", "")
	}
	out := make([]storage.ClaimedEmail, len(ms))
	for i := range ms {
		out[i] = storage.ClaimedEmail{Email: *ms[i].domain(), Seq: ms[i].Lease}
	}
	return out, nil
}

// Finish writes the outcome in one UPDATE, conditioned on the claim's
// lease.
func (r emails) Finish(ctx context.Context, now time.Time, o storage.EmailOutcome) (bool, error) {
	release, err := r.begin(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	now = storage.NormalizeTime(now)
	var next time.Time
	if o.Status == ce.EmailPending {
		next = o.NextAttemptAt
	}
	q := r.db.NewUpdate().Model((*emailModel)(nil)).
		Set("lease = lease + 1").
		Set("leased_by = ''").
		Set("status = ?", string(o.Status)).
		Set("attempts = attempts + 1").
		Set("next_attempt_at = ?", nullTime(next)).
		Set("last_error = ?", o.Error).
		Set("updated_at = ?", now).
		Where("id = ? AND lease = ?", o.EmailID, o.Seq)
	if o.Status == ce.EmailSent {
		q = q.Set("sent_at = ?", now)
	}
	res, err := q.Exec(ctx)
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err != nil {
		return false, r.fail(err, "finish e-mail "+o.EmailID, "", "")
	}
	return n == 1, nil
}

func (r emails) ListByRegistration(ctx context.Context, organizationID, registrationID string) ([]*ce.Email, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var ms []emailModel
	err := r.db.NewSelect().Model(&ms).
		Where("?TableAlias.registration_id = ? AND ?TableAlias.organization_id = ?", registrationID, organizationID).
		OrderExpr("?TableAlias.created_at, ?TableAlias.id").
		Scan(ctx)
	if err != nil {
		return nil, r.fail(err, "list e-mails of registration "+registrationID, "", "")
	}
	return domains(ms, (*emailModel).domain), nil
}
