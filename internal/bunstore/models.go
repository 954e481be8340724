package bunstore

import (
	"time"

	"github.com/uptrace/bun"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// domains converts the models of a listing to their domain values.
func domains[M, T any](ms []M, domain func(*M) *T) []*T {
	list := make([]*T, len(ms))
	for i := range ms {
		list[i] = domain(&ms[i])
	}
	return list
}

// The models mirror the tables the migrations create. Optional times and
// links are nullzero: NULL in the database, zero in Go.

type organizationModel struct {
	bun.BaseModel `bun:"table:ce_organizations,alias:o"`

	ID        string    `bun:"id,pk"`
	Name      string    `bun:"name"`
	CreatedAt time.Time `bun:"created_at"`
}

func newOrganizationModel(o *ce.Organization) *organizationModel {
	return &organizationModel{
		ID:        o.ID,
		Name:      o.Name,
		CreatedAt: storage.NormalizeTime(o.CreatedAt),
	}
}

func (m *organizationModel) domain() *ce.Organization {
	return &ce.Organization{
		ID:        m.ID,
		Name:      m.Name,
		CreatedAt: storage.NormalizeTime(m.CreatedAt),
	}
}

type apiKeyModel struct {
	bun.BaseModel `bun:"table:ce_api_keys,alias:k"`

	ID             string    `bun:"id,pk"`
	OrganizationID string    `bun:"organization_id"`
	Name           string    `bun:"name"`
	Hash           string    `bun:"hash"`
	CreatedAt      time.Time `bun:"created_at"`
}

func newAPIKeyModel(k *ce.APIKey) *apiKeyModel {
	return &apiKeyModel{
		ID:             k.ID,
		OrganizationID: k.OrganizationID,
		Name:           k.Name,
		Hash:           k.Hash,
		CreatedAt:      storage.NormalizeTime(k.CreatedAt),
	}
}

func (m *apiKeyModel) domain() *ce.APIKey {
	return &ce.APIKey{
		ID:             m.ID,
		OrganizationID: m.OrganizationID,
		Name:           m.Name,
		Hash:           m.Hash,
		CreatedAt:      storage.NormalizeTime(m.CreatedAt),
	}
}

type eventModel struct {
	bun.BaseModel `bun:"table:ce_events,alias:e"`

	ID             string    `bun:"id,pk"`
	OrganizationID string    `bun:"organization_id"`
	Title          string    `bun:"title"`
	Description    string    `bun:"description"`
	Venue          string    `bun:"venue"`
	TimeZone       string    `bun:"time_zone"`
	StartsAt       time.Time `bun:"starts_at"`
	EndsAt         time.Time `bun:"ends_at"`
	Status         string    `bun:"status"`

	Capacity             int       `bun:"capacity"`
	RegistrationOpensAt  time.Time `bun:"registration_opens_at,nullzero"`
	RegistrationClosesAt time.Time `bun:"registration_closes_at,nullzero"`
	ConfirmationMessage  string    `bun:"confirmation_message"`
	Visibility           string    `bun:"visibility"`

	SeriesID       string    `bun:"series_id,nullzero"`
	DuplicatedFrom string    `bun:"duplicated_from,nullzero"`
	Version        int64     `bun:"version"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

func newEventModel(e *ce.Event) *eventModel {
	return &eventModel{
		ID:                   e.ID,
		OrganizationID:       e.OrganizationID,
		Title:                e.Title,
		Description:          e.Description,
		Venue:                e.Venue,
		TimeZone:             e.TimeZone,
		StartsAt:             storage.NormalizeTime(e.StartsAt),
		EndsAt:               storage.NormalizeTime(e.EndsAt),
		Status:               string(e.Status),
		Capacity:             e.Settings.Capacity,
		RegistrationOpensAt:  storage.NormalizeTime(e.Settings.RegistrationOpensAt),
		RegistrationClosesAt: storage.NormalizeTime(e.Settings.RegistrationClosesAt),
		ConfirmationMessage:  e.Settings.ConfirmationMessage,
		Visibility:           string(e.Settings.Visibility),
		SeriesID:             e.SeriesID,
		DuplicatedFrom:       e.DuplicatedFrom,
		Version:              e.Version,
		CreatedAt:            storage.NormalizeTime(e.CreatedAt),
		UpdatedAt:            storage.NormalizeTime(e.UpdatedAt),
	}
}

func (m *eventModel) domain() *ce.Event {
	return &ce.Event{
		ID:             m.ID,
		OrganizationID: m.OrganizationID,
		Title:          m.Title,
		Description:    m.Description,
		Venue:          m.Venue,
		TimeZone:       m.TimeZone,
		StartsAt:       storage.NormalizeTime(m.StartsAt),
		EndsAt:         storage.NormalizeTime(m.EndsAt),
		Status:         ce.EventStatus(m.Status),
		Settings: ce.Settings{
			Capacity:             m.Capacity,
			RegistrationOpensAt:  storage.NormalizeTime(m.RegistrationOpensAt),
			RegistrationClosesAt: storage.NormalizeTime(m.RegistrationClosesAt),
			ConfirmationMessage:  m.ConfirmationMessage,
			Visibility:           ce.Visibility(m.Visibility),
		},
		SeriesID:       m.SeriesID,
		DuplicatedFrom: m.DuplicatedFrom,
		Version:        m.Version,
		CreatedAt:      storage.NormalizeTime(m.CreatedAt),
		UpdatedAt:      storage.NormalizeTime(m.UpdatedAt),
	}
}

type tierModel struct {
	bun.BaseModel `bun:"table:ce_tiers,alias:t"`

	ID             string    `bun:"id,pk"`
	OrganizationID string    `bun:"organization_id"`
	EventID        string    `bun:"event_id"`
	Name           string    `bun:"name"`
	Description    string    `bun:"description"`
	PriceAmount    int64     `bun:"price_amount"`
	PriceCurrency  string    `bun:"price_currency"`
	Capacity       int       `bun:"capacity"`
	SalesStartAt   time.Time `bun:"sales_start_at,nullzero"`
	SalesEndAt     time.Time `bun:"sales_end_at,nullzero"`
	Position       int       `bun:"position"`
	JoinURL        string    `bun:"join_url"`
	ShareJoinURL   bool      `bun:"share_join_url"`
	Version        int64     `bun:"version"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

func newTierModel(t *ce.Tier) *tierModel {
	return &tierModel{
		ID:             t.ID,
		OrganizationID: t.OrganizationID,
		EventID:        t.EventID,
		Name:           t.Name,
		Description:    t.Description,
		PriceAmount:    t.Price.Amount,
		PriceCurrency:  t.Price.Currency,
		Capacity:       t.Capacity,
		SalesStartAt:   storage.NormalizeTime(t.SalesStartAt),
		SalesEndAt:     storage.NormalizeTime(t.SalesEndAt),
		Position:       t.Position,
		JoinURL:        t.JoinURL,
		ShareJoinURL:   t.ShareJoinURL,
		Version:        t.Version,
		CreatedAt:      storage.NormalizeTime(t.CreatedAt),
		UpdatedAt:      storage.NormalizeTime(t.UpdatedAt),
	}
}

func (m *tierModel) domain() *ce.Tier {
	return &ce.Tier{
		ID:             m.ID,
		EventID:        m.EventID,
		OrganizationID: m.OrganizationID,
		Name:           m.Name,
		Description:    m.Description,
		Price:          ce.Money{Amount: m.PriceAmount, Currency: m.PriceCurrency},
		Capacity:       m.Capacity,
		SalesStartAt:   storage.NormalizeTime(m.SalesStartAt),
		SalesEndAt:     storage.NormalizeTime(m.SalesEndAt),
		Position:       m.Position,
		JoinURL:        m.JoinURL,
		ShareJoinURL:   m.ShareJoinURL,
		Version:        m.Version,
		CreatedAt:      storage.NormalizeTime(m.CreatedAt),
		UpdatedAt:      storage.NormalizeTime(m.UpdatedAt),
	}
}
