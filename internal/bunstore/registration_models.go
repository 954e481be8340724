package bunstore

import (
	"time"

	"github.com/uptrace/bun"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// registrationModel is a row of ce_registrations. The join token is
// nullzero: NULL, which the unique index lets repeat, on in-person tiers.
type registrationModel struct {
	bun.BaseModel `bun:"table:ce_registrations,alias:r"`

	ID               string    `bun:"id,pk"`
	OrganizationID   string    `bun:"organization_id"`
	EventID          string    `bun:"event_id"`
	TierID           string    `bun:"tier_id"`
	Email            string    `bun:"email"`
	FirstName        string    `bun:"first_name"`
	LastName         string    `bun:"last_name"`
	Status           string    `bun:"status"`
	GuideToken       string    `bun:"guide_token"`
	TicketCode       string    `bun:"ticket_code"`
	JoinToken        string    `bun:"join_token,nullzero"`
	JoinedAt         time.Time `bun:"joined_at,nullzero"`
	CheckedInAt      time.Time `bun:"checked_in_at,nullzero"`
	CheckInMethod    string    `bun:"check_in_method"`
	PaymentReference string    `bun:"payment_reference"`
	PaidAmount       int64     `bun:"paid_amount"`
	PaidCurrency     string    `bun:"paid_currency"`
	RefundReference  string    `bun:"refund_reference"`
	CancelledAt      time.Time `bun:"cancelled_at,nullzero"`
	CancelReason     string    `bun:"cancel_reason"`
	Version          int64     `bun:"version"`
	CreatedAt        time.Time `bun:"created_at"`
	UpdatedAt        time.Time `bun:"updated_at"`
}

func newRegistrationModel(r *ce.Registration) *registrationModel {
	return &registrationModel{
		ID:               r.ID,
		OrganizationID:   r.OrganizationID,
		EventID:          r.EventID,
		TierID:           r.TierID,
		Email:            r.Email,
		FirstName:        r.FirstName,
		LastName:         r.LastName,
		Status:           string(r.Status),
		GuideToken:       r.GuideToken,
		TicketCode:       r.TicketCode,
		JoinToken:        r.JoinToken,
		JoinedAt:         storage.NormalizeTime(r.JoinedAt),
		CheckedInAt:      storage.NormalizeTime(r.CheckedInAt),
		CheckInMethod:    string(r.CheckInMethod),
		PaymentReference: r.PaymentReference,
		PaidAmount:       r.AmountPaid.Amount,
		PaidCurrency:     r.AmountPaid.Currency,
		RefundReference:  r.RefundReference,
		CancelledAt:      storage.NormalizeTime(r.CancelledAt),
		CancelReason:     r.CancelReason,
		Version:          r.Version,
		CreatedAt:        storage.NormalizeTime(r.CreatedAt),
		UpdatedAt:        storage.NormalizeTime(r.UpdatedAt),
	}
}

func (m *registrationModel) domain() *ce.Registration {
	return &ce.Registration{
		ID:               m.ID,
		OrganizationID:   m.OrganizationID,
		EventID:          m.EventID,
		TierID:           m.TierID,
		Email:            m.Email,
		FirstName:        m.FirstName,
		LastName:         m.LastName,
		Status:           ce.RegistrationStatus(m.Status),
		GuideToken:       m.GuideToken,
		TicketCode:       m.TicketCode,
		JoinToken:        m.JoinToken,
		JoinedAt:         storage.NormalizeTime(m.JoinedAt),
		CheckedInAt:      storage.NormalizeTime(m.CheckedInAt),
		CheckInMethod:    ce.CheckInMethod(m.CheckInMethod),
		PaymentReference: m.PaymentReference,
		AmountPaid:       ce.Money{Amount: m.PaidAmount, Currency: m.PaidCurrency},
		RefundReference:  m.RefundReference,
		CancelledAt:      storage.NormalizeTime(m.CancelledAt),
		CancelReason:     m.CancelReason,
		Version:          m.Version,
		CreatedAt:        storage.NormalizeTime(m.CreatedAt),
		UpdatedAt:        storage.NormalizeTime(m.UpdatedAt),
	}
}

// emailModel is a row of ce_emails: an e-mail and its latest lease.
type emailModel struct {
	bun.BaseModel `bun:"table:ce_emails,alias:em"`

	ID             string    `bun:"id,pk"`
	OrganizationID string    `bun:"organization_id"`
	RegistrationID string    `bun:"registration_id"`
	Kind           string    `bun:"kind"`
	SubjectID      string    `bun:"subject_id"`
	Status         string    `bun:"status"`
	Attempts       int       `bun:"attempts"`
	NextAttemptAt  time.Time `bun:"next_attempt_at,nullzero"`
	LastError      string    `bun:"last_error"`
	SentAt         time.Time `bun:"sent_at,nullzero"`
	// Lease is the sequence number of the latest claim; LeasedBy names
	// its worker, for whoever looks at the table.
	Lease     int64     `bun:"lease"`
	LeasedBy  string    `bun:"leased_by"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

func newEmailModel(e *ce.Email) *emailModel {
	return &emailModel{
		ID:             e.ID,
		OrganizationID: e.OrganizationID,
		RegistrationID: e.RegistrationID,
		Kind:           string(e.Kind),
		SubjectID:      e.SubjectID,
		Status:         string(e.Status),
		Attempts:       e.Attempts,
		NextAttemptAt:  storage.NormalizeTime(e.NextAttemptAt),
		LastError:      e.LastError,
		SentAt:         storage.NormalizeTime(e.SentAt),
		CreatedAt:      storage.NormalizeTime(e.CreatedAt),
		UpdatedAt:      storage.NormalizeTime(e.UpdatedAt),
	}
}

func (m *emailModel) domain() *ce.Email {
	return &ce.Email{
		ID:             m.ID,
		OrganizationID: m.OrganizationID,
		RegistrationID: m.RegistrationID,
		Kind:           ce.EmailKind(m.Kind),
		SubjectID:      m.SubjectID,
		Status:         ce.EmailStatus(m.Status),
		Attempts:       m.Attempts,
		NextAttemptAt:  storage.NormalizeTime(m.NextAttemptAt),
		LastError:      m.LastError,
		SentAt:         storage.NormalizeTime(m.SentAt),
		CreatedAt:      storage.NormalizeTime(m.CreatedAt),
		UpdatedAt:      storage.NormalizeTime(m.UpdatedAt),
	}
}
