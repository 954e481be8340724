// Package completeevent holds the domain of CompleteEvent: organizations, API
// keys, events, ticket tiers, registrations, the silent auction and the
// records of webhook delivery, together with their validation, identifiers,
// money and the error kinds every other package reports.
//
// The package imports nothing but the standard library, so every user of the
// project, including a webhook receiver, can depend on it at no cost. The
// services that change these values live in ticketing and recurrence, their
// persistence in storage, their notification in webhook.
package completeevent
