// Package pgtest gives tests a PostgreSQL database of their own: a new,
// empty schema of the database COMPLETEEVENT_TEST_POSTGRES_URL names,
// dropped when the test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/uptrace/bun/driver/pgdriver"
)

// DSN returns the URL of a new, empty schema of the test database, set as
// its search_path, and drops the schema when the test ends. It skips the
// test if COMPLETEEVENT_TEST_POSTGRES_URL is not set, or fails it if
// COMPLETEEVENT_TEST_POSTGRES_REQUIRED is set too (as CI does), so that a
// missing database never passes unnoticed.
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("COMPLETEEVENT_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("COMPLETEEVENT_TEST_POSTGRES_REQUIRED") != "" {
			t.Fatal("COMPLETEEVENT_TEST_POSTGRES_URL is not set, and COMPLETEEVENT_TEST_POSTGRES_REQUIRED is")
		}
		t.Skip("COMPLETEEVENT_TEST_POSTGRES_URL is not set")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse COMPLETEEVENT_TEST_POSTGRES_URL: %v", err)
	}
	schema := "ce_test_" + strings.ToLower(rand.Text())
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(base)))
	t.Cleanup(func() { _ = admin.Close() })
	if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
