package ticketing

import (
	"context"
	"errors"
	"strings"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// initialKeyName names the API key CreateOrganization makes.
const initialKeyName = "initial"

// CreateOrganization creates an organization and its first API key in one
// transaction, and returns the organization and the key's token. Only the
// token's hash is stored: show the token to its owner now, it cannot be
// recovered. It returns ErrInvalid naming "name" for a missing or overlong
// name.
func (s *Service) CreateOrganization(ctx context.Context, name string) (*ce.Organization, string, error) {
	now := s.now()
	org := &ce.Organization{ID: ce.NewID(ce.PrefixOrganization, now), Name: name, CreatedAt: now}
	if err := org.Validate(); err != nil {
		return nil, "", err
	}
	token, key := ce.NewAPIKey(org.ID, initialKeyName, now)
	err := s.store.RunInTx(ctx, func(ctx context.Context, tx storage.Tx) error {
		if err := tx.Organizations().Create(ctx, org); err != nil {
			return err
		}
		return tx.APIKeys().Create(ctx, key)
	})
	if err != nil {
		return nil, "", err
	}
	s.logger.InfoContext(ctx, "organization created", "organization", org.ID, "apiKey", key.ID)
	return org, token, nil
}

// Authenticate returns the API key whose token is token: its
// OrganizationID is the organization the caller may act for. It returns
// ErrUnauthorized for an empty or unknown token.
func (s *Service) Authenticate(ctx context.Context, token string) (*ce.APIKey, error) {
	if strings.TrimSpace(token) == "" {
		return nil, ce.Unauthorized("an API key is required")
	}
	key, err := s.store.APIKeys().GetByHash(ctx, ce.HashAPIKeyToken(token))
	if errors.Is(err, ce.ErrNotFound) {
		return nil, ce.Unauthorized("the API key is not valid")
	}
	if err != nil {
		return nil, err
	}
	return key, nil
}
