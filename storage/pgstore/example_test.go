package pgstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/completeevent/completeevent-go/storage/pgstore"
)

func ExampleOpen() {
	ctx := context.Background()
	s, err := pgstore.Open(ctx, "postgres://completeevent@localhost:5432/completeevent?sslmode=disable", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	n, err := s.Organizations().Count(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "organizations")
}

// An application that keeps its own tables in the database writes the
// store's records in its own transaction: both commit, or neither.
func ExampleNew() {
	ctx := context.Background()
	dsn := "postgres://completeevent@localhost:5432/completeevent?sslmode=disable"
	db := bun.NewDB(sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(dsn))), pgdialect.New())
	defer db.Close()
	if err := pgstore.Migrate(ctx, db); err != nil {
		log.Fatal(err)
	}

	const orgID, eventID = "org_06h1hq5mhgcmztwgc7w1k3ksh4", "evt_06h1hq5mhgf3w4g5p8kyd0t9tg"
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		s := pgstore.New(tx)
		e, err := s.Events().Get(ctx, orgID, eventID)
		if err != nil {
			return err
		}
		e.Title = "Monthly meetup (moved)"
		if err := s.Events().Update(ctx, e); err != nil {
			return err
		}
		// The application's own write, in the same transaction.
		_, err = tx.NewRaw("INSERT INTO audit_log (event_id, message) VALUES (?, ?)",
			e.ID, "renamed").Exec(ctx)
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
}
