package ticketing

import (
	"context"
	"time"

	"github.com/completeevent/completeevent-go/storage"
)

// RunMaintenance does the service's periodic work every interval until ctx
// ends, logging failures, and returns nil when it does: it closes the
// auction items whose closing time has come (CloseDueAuctionItems) and
// releases the seats of registrations whose payment never completed
// (ReleaseExpiredHolds). Each round works through everything due, a page
// at a time. Run it in one goroutine per process; several processes
// sharing a store may each run it. interval must be positive.
func (s *Service) RunMaintenance(ctx context.Context, interval time.Duration) error {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		s.drain(ctx, "closing due auction items", s.CloseDueAuctionItems)
		s.drain(ctx, "releasing expired seat holds", s.ReleaseExpiredHolds)
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

// drain calls task with full pages until it does less than a page or
// fails, and logs its failure, described by what, unless ctx ended.
func (s *Service) drain(ctx context.Context, what string, task func(ctx context.Context, limit int) (int, error)) {
	for ctx.Err() == nil {
		n, err := task(ctx, storage.MaxPageLimit)
		if err != nil && ctx.Err() == nil {
			s.logger.ErrorContext(ctx, what, "error", err)
		}
		if n < storage.MaxPageLimit || err != nil {
			return
		}
	}
}
