// Command server is CompleteEvent's reference server: a JSON API over the
// ticketing and recurrence services, on an embedded SQLite file by default.
//
//	go run ./examples/server
//
// starts it on :8080 with ./completeevent.db. On an empty database it
// creates a demo organization and prints its API key, once. Flags and
// environment:
//
//	-addr ADDR          listen address (env ADDR; default ":8080")
//	-db DATABASE_URL    "postgres://…" for PostgreSQL, "memory" for an
//	                    in-memory store, or the path of a SQLite file
//	                    (env DATABASE_URL; default "completeevent.db")
//	-dev-webhooks       DEVELOPMENT ONLY: webhook endpoints may use plain
//	                    http and loopback or private addresses, so that
//	                    "go run ./examples/receiver" can be one (env
//	                    DEV_WEBHOOKS=1); the server warns loudly at start
//	-base-url URL       the server's public address, which starts the links
//	                    in answers and e-mails (env BASE_URL; default
//	                    http://localhost:<port>)
//	-smtp-url URL       send the e-mails to attendees through this SMTP
//	                    server: smtp://user:password@host:587?from=…, or
//	                    smtps://… (env SMTP_URL)
//	-mail-dir DIR       without an SMTP URL, write the e-mails as .eml files
//	                    into DIR, created if missing (env MAIL_DIR; default
//	                    "mail-out"); the server says so at start
//	-mail-from ADDRESS  the e-mails' sender (env MAIL_FROM)
//	-stripe-secret-key KEY
//	                    take payments for priced tiers and auction items
//	                    through Stripe Checkout (env STRIPE_SECRET_KEY,
//	                    preferred: flags show in process lists); without
//	                    it, priced tiers are refused and free events work
//	-stripe-webhook-secret SECRET
//	                    the signing secret of the Stripe webhook endpoint
//	                    for /stripe/webhook; required with a key (env
//	                    STRIPE_WEBHOOK_SECRET)
//	-stripe-api-url URL another Stripe API, e.g. stripe-mock's (env
//	                    STRIPE_API_URL; default https://api.stripe.com)
//
// Anyone may read a published event and register, without an API key:
//
//	GET    /v1/public/events/{id} a published event and its tiers, each
//	                              "virtual" or not, never a join URL
//	POST   /v1/public/events/{id}/registrations
//	                              register: {"tierId","email","firstName",
//	                              "lastName"}; 201 with the registration and
//	                              its "guideUrl", 409 "sold_out" when full;
//	                              for a priced tier "pending_payment" with
//	                              the "checkoutUrl" to pay on
//	POST   /stripe/webhook        Stripe's callbacks, verified by their
//	                              signature: 200 {"outcome","reason"} for
//	                              any verified one, 401 forged or stale,
//	                              400 malformed, 500 to be sent again
//
// Attendees open HTML pages whose token is their key:
//
//	GET    /guide/{token}         the event guide: when (in the event's time
//	                              zone), where, the ticket's QR code or the
//	                              join link, or "Cancelled"; for confirmed
//	                              attendees the silent auction, with a bid
//	                              form per open item and "Pay" for items won
//	GET    /guide/{token}/ticket.png
//	                              the ticket's QR code (in-person tiers)
//	GET    /join/{token}          redirect to the virtual tier's current join
//	                              URL; 410 once the registration is cancelled
//	POST   /guide/{token}/auction/{itemId}/bids
//	                              the guide's bid form, "amount" in major
//	                              units ("12.50"): 303 back to the guide
//	POST   /guide/{token}/auction/{itemId}/pay
//	                              the winner's "Pay" button: 303 to Checkout
//
// and API clients do the same in JSON, the guide token as the key:
//
//	GET    /v1/public/guide/{token}/auction-items
//	                              the event's silent auction
//	POST   /v1/public/guide/{token}/auction-items/{itemId}/bids
//	                              bid {"amount"} in minor units: 201
//	POST   /v1/public/guide/{token}/auction-items/{itemId}/pay
//	                              the winner pays: 200 {"checkoutUrl"}
//
// Every /v1 request carries "Authorization: Bearer <API key>" and sees only
// its organization's records:
//
//	POST   /v1/events                 create a draft event
//	GET    /v1/events                 list events (?status=&limit=&after=)
//	GET    /v1/events/{id}            get an event
//	PATCH  /v1/events/{id}            change an event
//	POST   /v1/events/{id}/publish    publish an event
//	POST   /v1/events/{id}/duplicate  copy an event, as a recurring instance or not
//	GET    /v1/events/{id}/series     the event's recurring series, with counts
//	POST   /v1/events/{id}/series     create instances from an RRULE
//	POST   /v1/events/{id}/series/preview
//	                                  the dates a rule gives, creating nothing
//	POST   /v1/events/{id}/tiers      add a ticket tier
//	GET    /v1/events/{id}/tiers      list an event's tiers
//	GET    /v1/tiers/{id}             get a tier
//	PATCH  /v1/tiers/{id}             change a tier
//	DELETE /v1/tiers/{id}             delete a tier
//	GET    /v1/events/{id}/registrations
//	                                  list registrations, oldest first
//	                                  (?status=&tierId=&limit=&after=)
//	GET    /v1/registrations/{id}     get a registration
//	POST   /v1/registrations/{id}/cancel
//	                                  cancel it ({"reason"} optional): its
//	                                  seat is freed, its join link revoked
//	POST   /v1/events/{id}/checkins   check in {"ticketCode"} (the QR code)
//	                                  or {"registrationId"}; 409 "already
//	                                  checked in at …"
//	GET    /v1/events/{id}/summary    registrations per tier, seats left
//	POST   /v1/events/{id}/auction-items
//	                                  add a silent-auction item
//	GET    /v1/events/{id}/auction-items
//	                                  the event's auction items
//	GET    /v1/auction-items/{id}     get an auction item
//	POST   /v1/auction-items/{id}/close
//	                                  close it now: the highest bid wins
//	POST   /v1/webhook-endpoints      add a webhook endpoint; the answer
//	                                  holds its "secret", shown only then
//	GET    /v1/webhook-endpoints      list the webhook endpoints
//	GET    /v1/webhook-endpoints/{id} get an endpoint
//	PATCH  /v1/webhook-endpoints/{id} change an endpoint (url, eventTypes,
//	                                  description, enabled, timeoutMs)
//	DELETE /v1/webhook-endpoints/{id} delete an endpoint and its log
//	POST   /v1/webhook-endpoints/{id}/rotate-secret
//	                                  a new secret, shown only then; the old
//	                                  one keeps signing for 24 hours
//	POST   /v1/webhook-endpoints/{id}/test
//	                                  send a ping now: status, timings, error
//	GET    /v1/webhook-endpoints/{id}/deliveries
//	                                  the delivery log, newest first
//	                                  (?limit=&after=)
//	GET    /v1/webhook-deliveries/{id}
//	                                  one delivery with its attempts
//	POST   /v1/webhook-deliveries/{id}/resend
//	                                  send it again, same message id
//	GET    /healthz                   is the database reachable?
//
// A delivery worker runs with the server and sends the webhooks of
// committed changes at once; a mail worker sends the confirmation,
// cancellation and auction-win e-mails; a maintenance worker closes
// auction items at their closing time and frees the seats of registrations
// whose payment never completed. Errors are
// {"error":{"code":…,"message":…,"field":…}}. SIGINT or SIGTERM stops the
// server gracefully: it finishes the requests in flight, then the webhook
// deliveries and e-mails in flight.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	// Time zones work on machines without a zoneinfo database.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}
