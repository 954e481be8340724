// Package notify sends the e-mails of CompleteEvent to attendees: the
// confirmation of a registration, its cancellation, and the news that the
// attendee won an item of the event's silent auction.
//
// The ticketing service queues each e-mail (a completeevent.Email, through
// storage.Emails) in the transaction of the change it reports, so a
// committed registration always has its confirmation and a rolled-back one
// never does. A [Worker] sends the queue: it claims due e-mails with a
// lease, renders each with a [Renderer] from the registration as it is at
// that moment, hands it to a mail.Mailer and records the outcome.
// Temporary failures (an SMTP outage, a 4xx reply, a store error) are
// retried with exponential backoff and jitter for up to three days;
// permanent ones (a 5xx reply, a registration that no longer exists) are
// recorded as failed and never retried.
//
// # Delivery guarantees
//
// A queued e-mail is never lost: it stays pending until an attempt is
// recorded, and a worker that crashes leaves its lease to expire, after
// which another worker claims the e-mail again. An e-mail whose acceptance
// by the mail server was recorded is never sent again: it is no longer
// pending, and a late attempt of a worker whose lease expired cannot
// overwrite a newer claim's outcome (storage.Emails.Finish).
//
// What no queue can close is the instant between the server's acceptance
// and its recording: a crash there, or a store that refuses the recording
// until the lease expires, sends the e-mail again. The worker keeps that
// window small: it records the outcome right after the send, retries the
// recording until the lease ends, and bounds each send (SendTimeout) well
// within the lease. Every attempt carries the same Message-ID, derived
// from the queued e-mail's id, so that mail programs can recognize a
// duplicate.
//
// # Contents
//
// Every e-mail has a plain-text and an HTML part. The confirmation names
// the event, its local date and time in the event's time zone, the venue
// or "Online", the tier, the organizer's confirmation message and the
// link to the attendee's event guide; for a virtual tier the join link, for
// an in-person tier the ticket's QR code (an inline PNG) and its code.
// The cancellation names the event, the tier and the organizer's reason.
// The auction win ("You won <item>") names the item, the winning bid and
// the event, and links to the event guide, whose "Pay" button starts the
// payment; the worker reads the item the e-mail's SubjectID names.
package notify
