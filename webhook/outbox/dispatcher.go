package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/webhook"
)

// ErrNoTransaction is returned by Dispatcher.Dispatch when its context
// carries no storage transaction: a message is only ever written together
// with the change it reports.
var ErrNoTransaction = errors.New("outbox: dispatch outside a storage transaction")

// DispatcherOptions configure a Dispatcher. The zero value, like a nil
// *DispatcherOptions, is a valid configuration.
type DispatcherOptions struct {
	// Now returns the current time: the message's CreatedAt, when its
	// deliveries are first due. Defaults to time.Now.
	Now func() time.Time
	// Notify, if set, is called after each transaction that published a
	// delivery commits, on the committing goroutine; it must not block.
	// Pass Worker.Notify so that the local worker sends at once rather
	// than at its next poll.
	Notify func()
}

// Dispatcher publishes webhook messages into the outbox of the storage
// transaction its context carries. It implements webhook.Dispatcher and is
// safe for concurrent use.
type Dispatcher struct {
	now    func() time.Time
	notify func()
}

var _ webhook.Dispatcher = (*Dispatcher)(nil)

// NewDispatcher returns a Dispatcher; opts may be nil.
func NewDispatcher(opts *DispatcherOptions) *Dispatcher {
	d := &Dispatcher{now: time.Now}
	if opts != nil {
		if opts.Now != nil {
			d.now = opts.Now
		}
		d.notify = opts.Notify
	}
	return d
}

// Dispatch stores one message of data, serialized once, with one delivery
// to each enabled endpoint of the organization subscribed to data's event
// type now (see storage.WebhookDeliveries.Publish), in the transaction ctx
// carries. It returns ErrNoTransaction if ctx carries none, and otherwise
// the storage's error, after which the caller should roll back.
func (d *Dispatcher) Dispatch(ctx context.Context, organizationID string, data webhook.Data) error {
	tx, ok := storage.TxFromContext(ctx)
	if !ok {
		return ErrNoTransaction
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("outbox: encode %s data: %w", data.EventType(), err)
	}
	now := d.now()
	m := &ce.WebhookMessage{
		ID:             ce.NewID(ce.PrefixWebhookMessage, now),
		OrganizationID: organizationID,
		EventType:      data.EventType(),
		Data:           raw,
		CreatedAt:      now,
	}
	deliveries, err := tx.WebhookDeliveries().Publish(ctx, m)
	if err != nil {
		return err
	}
	if len(deliveries) > 0 && d.notify != nil {
		tx.AfterCommit(d.notify)
	}
	return nil
}
