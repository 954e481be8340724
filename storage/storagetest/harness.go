package storagetest

import (
	"testing"

	"github.com/completeevent/completeevent-go/storage"
)

// Harness tells Run how to get a store of the adapter under test.
type Harness struct {
	// NewStore returns a store ready for use. It may be shared by the
	// tests and hold their earlier records: every test makes its own
	// organizations and looks only at those. Run never closes the store;
	// register its closing with t.Cleanup.
	NewStore func(t *testing.T) storage.Store
}
