package recurrence

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
	// Logger receives a record of each duplicate and each series created
	// from a rule. Defaults to discarding them.
	Logger *slog.Logger
	// MaxOccurrences caps the occurrences of a series created from a
	// recurrence, the event it starts from included; see ExpandOptions.
	// Defaults to DefaultMaxOccurrences.
	MaxOccurrences int
}

// Service duplicates events and makes recurring series of them in a
// store. It is safe for concurrent use.
type Service struct {
	store  storage.Store
	now    func() time.Time
	logger *slog.Logger
	expand ExpandOptions
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
		s.expand.MaxOccurrences = opts.MaxOccurrences
	}
	return s
}

// location returns the time zone of e, or an ErrInvalid error naming
// "timeZone" if this system does not know it.
func location(e *ce.Event) (*time.Location, error) {
	loc, err := e.Location()
	if err != nil {
		return nil, ce.Invalid("timeZone", "the event's time zone %q is not a time zone this server knows", e.TimeZone)
	}
	return loc, nil
}
