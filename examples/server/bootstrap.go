package main

import (
	"context"
	"fmt"
	"io"

	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/ticketing"
)

// demoOrganizationName names the organization an empty database gets.
const demoOrganizationName = "Demo organization"

// ensureDemoOrganization creates a demo organization if the store has no
// organization at all, and prints its API key to stdout: the only time
// the key is shown, since the store keeps only its hash.
func ensureDemoOrganization(ctx context.Context, store storage.Store, svc *ticketing.Service, stdout io.Writer) error {
	n, err := store.Organizations().Count(ctx)
	if err != nil {
		return fmt.Errorf("count organizations: %w", err)
	}
	if n > 0 {
		return nil
	}
	org, token, err := svc.CreateOrganization(ctx, demoOrganizationName)
	if err != nil {
		return fmt.Errorf("create the demo organization: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "Created the demo organization %q (%s).\n"+
		"Its API key is shown only this once; keep it:\n\n    %s\n\n"+
		"Send it as \"Authorization: Bearer %s\".\n", org.Name, org.ID, token, token)
	return err
}
