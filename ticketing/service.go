package ticketing

import (
	"log/slog"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// Options configure a Service. The zero value, like a nil *Options, is a
// valid configuration.
type Options struct {
	// Now returns the current time, used for new ids and for the
	// CreatedAt and UpdatedAt of records. Defaults to time.Now.
	Now func() time.Time
	// Logger receives a record of each organization created and each
	// event published. Defaults to discarding them.
	Logger *slog.Logger
}

// Service applies the rules of events, tiers and organizations to a store.
// It is safe for concurrent use.
type Service struct {
	store  storage.Store
	now    func() time.Time
	logger *slog.Logger
}

// New returns a Service that keeps its records in store. opts may be nil.
func New(store storage.Store, opts *Options) *Service {
	s := &Service{store: store, now: time.Now, logger: slog.New(slog.DiscardHandler)}
	if opts != nil {
		if opts.Now != nil {
			s.now = opts.Now
		}
		if opts.Logger != nil {
			s.logger = opts.Logger
		}
	}
	return s
}

// checkVersion reports ErrConflict if the caller pinned a version (want is
// not zero) and the record is at another one.
func checkVersion(kind, id string, want, have int64) error {
	if want != 0 && want != have {
		return ce.Conflict("%s %s is at version %d, not %d: read it again", kind, id, have, want)
	}
	return nil
}
