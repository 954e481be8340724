package bunstore

import (
	"context"
	"time"

	"github.com/completeevent/completeevent-go/storage"
)

type paymentEvents struct{ repos }

// Record inserts the event's id, whose primary key refuses it a second
// time; inside a PostgreSQL transaction the insert runs in a savepoint,
// so that the refusal leaves the transaction usable.
func (r paymentEvents) Record(ctx context.Context, id string, at time.Time) error {
	m := &paymentEventModel{ID: id, ProcessedAt: storage.NormalizeTime(at)}
	return r.insert(ctx, m, "record payment event "+id, "payment event "+id+" was already recorded", "")
}
