package bunstore

import (
	"context"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

type organizations struct{ repos }

func (r organizations) Create(ctx context.Context, o *ce.Organization) error {
	m := newOrganizationModel(o)
	if err := r.insert(ctx, m, "create organization "+o.ID,
		"organization "+o.ID+" already exists", ""); err != nil {
		return err
	}
	*o = *m.domain()
	return nil
}

func (r organizations) Get(ctx context.Context, id string) (*ce.Organization, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var m organizationModel
	if err := r.db.NewSelect().Model(&m).Where("?TableAlias.id = ?", id).Scan(ctx); err != nil {
		return nil, r.fail(err, "get organization "+id, "", "organization "+id+" not found")
	}
	return m.domain(), nil
}

func (r organizations) Count(ctx context.Context) (int, error) {
	if err := r.check(); err != nil {
		return 0, err
	}
	n, err := r.db.NewSelect().Model((*organizationModel)(nil)).Count(ctx)
	if err != nil {
		return 0, r.fail(err, "count organizations", "", "")
	}
	return n, nil
}
