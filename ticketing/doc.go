// Package ticketing is the service layer of CompleteEvent: the rules for
// organizations and their API keys, events and their ticket tiers, applied
// on top of any storage.Store. Later it grows registrations, check-in,
// confirmation e-mail and payments.
//
// A Service validates input with the completeevent package, gives new
// records their ids and times, and runs every change that reads before it
// writes in one storage transaction. Every method that touches an
// organization's records takes the organization's id explicitly, so one
// organization can never reach another's events or tiers: such ids are
// reported as completeevent.ErrNotFound, exactly like ids that do not exist.
//
// Expected failures match the completeevent error kinds with errors.Is:
// ErrInvalid (with the offending field, see completeevent.ErrorField),
// ErrNotFound, ErrConflict and ErrUnauthorized. Anything else is a storage
// failure.
//
// # Concurrent changes
//
// Events and tiers carry a Version. An update that names the Version it
// read (EventUpdate.Version, TierUpdate.Version) fails with ErrConflict if
// someone changed the record since. An update that names none is applied
// to the newest version: if a concurrent writer wins the race between the
// service's read and its write, the service reads again and retries once
// before reporting ErrConflict.
package ticketing
