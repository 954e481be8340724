// Command server is CompleteEvent's reference server: a JSON API over the
// ticketing service, on an embedded SQLite file by default.
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
//
// Every /v1 request carries "Authorization: Bearer <API key>" and sees only
// its organization's records:
//
//	POST   /v1/events                 create a draft event
//	GET    /v1/events                 list events (?status=&limit=&after=)
//	GET    /v1/events/{id}            get an event
//	PATCH  /v1/events/{id}            change an event
//	POST   /v1/events/{id}/publish    publish an event
//	POST   /v1/events/{id}/tiers      add a ticket tier
//	GET    /v1/events/{id}/tiers      list an event's tiers
//	GET    /v1/tiers/{id}             get a tier
//	PATCH  /v1/tiers/{id}             change a tier
//	DELETE /v1/tiers/{id}             delete a tier
//	GET    /healthz                   is the database reachable?
//
// Errors are {"error":{"code":…,"message":…,"field":…}}. SIGINT or SIGTERM
// stops the server gracefully.
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
