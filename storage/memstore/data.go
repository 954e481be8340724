package memstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// data is every record, stored by value so callers never share memory with
// the store.
type data struct {
	organizations map[string]ce.Organization
	apiKeys       map[string]ce.APIKey
	apiKeyByHash  map[string]string
	events        map[string]ce.Event
	tiers         map[string]ce.Tier
	webhooks      webhookData
	registrations registrationData
	emails        emailData
	auctions      auctionData
	// paymentEvents holds when each payment provider's event was
	// processed, by its id.
	paymentEvents map[string]time.Time
}

func newData() data {
	return data{
		organizations: map[string]ce.Organization{},
		apiKeys:       map[string]ce.APIKey{},
		apiKeyByHash:  map[string]string{},
		events:        map[string]ce.Event{},
		tiers:         map[string]ce.Tier{},
		webhooks:      newWebhookData(),
		registrations: newRegistrationData(),
		emails:        newEmailData(),
		auctions:      newAuctionData(),
		paymentEvents: map[string]time.Time{},
	}
}

// put sets m[k] = v and records how to undo it, unless undo is nil
// (outside a transaction).
func put[K comparable, V any](m map[K]V, k K, v V, undo func(func())) {
	old, had := m[k]
	m[k] = v
	if undo == nil {
		return
	}
	undo(func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
}

// remove deletes m[k] and records how to undo it, unless undo is nil
// (outside a transaction).
func remove[K comparable, V any](m map[K]V, k K, undo func(func())) {
	old, had := m[k]
	if !had {
		return
	}
	delete(m, k)
	if undo != nil {
		undo(func() { m[k] = old })
	}
}

type organizations struct{ s session }

func (r organizations) Create(ctx context.Context, org *ce.Organization) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		if _, ok := d.organizations[org.ID]; ok {
			return ce.Conflict("organization %s already exists", org.ID)
		}
		org.CreatedAt = storage.NormalizeTime(org.CreatedAt)
		put(d.organizations, org.ID, *org, undo)
		return nil
	})
}

func (r organizations) Get(ctx context.Context, id string) (*ce.Organization, error) {
	var org ce.Organization
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		var ok bool
		if org, ok = d.organizations[id]; !ok {
			return ce.NotFound("organization %s not found", id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &org, nil
}

func (r organizations) Count(ctx context.Context) (int, error) {
	var n int
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		n = len(d.organizations)
		return nil
	})
	return n, err
}

type apiKeys struct{ s session }

func (r apiKeys) Create(ctx context.Context, key *ce.APIKey) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		if _, ok := d.organizations[key.OrganizationID]; !ok {
			return ce.NotFound("organization %s not found", key.OrganizationID)
		}
		if _, ok := d.apiKeys[key.ID]; ok {
			return ce.Conflict("api key %s already exists", key.ID)
		}
		if _, ok := d.apiKeyByHash[key.Hash]; ok {
			return ce.Conflict("an api key with this hash already exists")
		}
		key.CreatedAt = storage.NormalizeTime(key.CreatedAt)
		put(d.apiKeys, key.ID, *key, undo)
		put(d.apiKeyByHash, key.Hash, key.ID, undo)
		return nil
	})
}

func (r apiKeys) GetByHash(ctx context.Context, hash string) (*ce.APIKey, error) {
	var key ce.APIKey
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		id, ok := d.apiKeyByHash[hash]
		if !ok {
			return ce.NotFound("api key not found")
		}
		key = d.apiKeys[id]
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &key, nil
}

func (r apiKeys) List(ctx context.Context, organizationID string) ([]*ce.APIKey, error) {
	var keys []*ce.APIKey
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		keys = collect(d.apiKeys, func(k ce.APIKey) bool { return k.OrganizationID == organizationID },
			func(a, b *ce.APIKey) int { return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID)) })
		return nil
	})
	return keys, err
}

func (r apiKeys) Delete(ctx context.Context, organizationID, id string) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		key, ok := d.apiKeys[id]
		if !ok || key.OrganizationID != organizationID {
			return ce.NotFound("api key %s not found", id)
		}
		remove(d.apiKeys, id, undo)
		remove(d.apiKeyByHash, key.Hash, undo)
		return nil
	})
}

// collect returns copies of the values of m that keep accepts, sorted.
func collect[V any](m map[string]V, keep func(V) bool, order func(a, b *V) int) []*V {
	out := []*V{}
	for _, v := range m {
		if keep(v) {
			out = append(out, &v)
		}
	}
	slices.SortFunc(out, order)
	return out
}
