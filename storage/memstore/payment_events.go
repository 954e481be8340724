package memstore

import (
	"context"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

type paymentEvents struct{ s session }

func (r paymentEvents) Record(ctx context.Context, id string, at time.Time) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		if _, ok := d.paymentEvents[id]; ok {
			return ce.Conflict("payment event %s was already recorded", id)
		}
		put(d.paymentEvents, id, storage.NormalizeTime(at), undo)
		return nil
	})
}
