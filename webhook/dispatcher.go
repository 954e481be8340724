package webhook

import "context"

// Dispatcher publishes the webhook message of a domain change. The services
// (ticketing) call it; the sending side (webhook/outbox) implements it.
// Implementations must be safe for concurrent use.
type Dispatcher interface {
	// Dispatch records one message of data's event type for the
	// organization's endpoints subscribed to that type. Services call it
	// inside their storage transaction, and ctx carries that transaction:
	// the message is stored with the change or not at all, and delivered
	// after commit. Dispatch serializes data once; every delivery and
	// resend signs those same bytes. An error means nothing was recorded
	// and the transaction should roll back.
	Dispatch(ctx context.Context, organizationID string, data Data) error
}
