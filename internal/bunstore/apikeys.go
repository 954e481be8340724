package bunstore

import (
	"context"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

type apiKeys struct{ repos }

func (r apiKeys) Create(ctx context.Context, k *ce.APIKey) error {
	m := newAPIKeyModel(k)
	if err := r.insert(ctx, m, "create api key "+k.ID,
		"api key "+k.ID+" or its hash already exists",
		"organization "+k.OrganizationID+" not found"); err != nil {
		return err
	}
	*k = *m.domain()
	return nil
}

func (r apiKeys) GetByHash(ctx context.Context, hash string) (*ce.APIKey, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var m apiKeyModel
	if err := r.db.NewSelect().Model(&m).Where("?TableAlias.hash = ?", hash).Scan(ctx); err != nil {
		return nil, r.fail(err, "get api key by hash", "", "api key not found")
	}
	return m.domain(), nil
}

func (r apiKeys) List(ctx context.Context, organizationID string) ([]*ce.APIKey, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var ms []apiKeyModel
	err := r.db.NewSelect().Model(&ms).
		Where("?TableAlias.organization_id = ?", organizationID).
		OrderExpr("?TableAlias.created_at, ?TableAlias.id").
		Scan(ctx)
	if err != nil {
		return nil, r.fail(err, "list api keys of organization "+organizationID, "", "")
	}
	return domains(ms, (*apiKeyModel).domain), nil
}

func (r apiKeys) Delete(ctx context.Context, organizationID, id string) error {
	return r.delete(ctx, (*apiKeyModel)(nil), organizationID, id, "api key")
}
