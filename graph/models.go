package graph

import (
	"context"
	"sync"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/clvmodel"
	"github.com/headlesscrm/crm/internal/tenant"
)

// modelCache keeps each organization's latest fitted model for a few
// seconds, so the predictions of a page of customers cost one query.
type modelCache struct {
	mu      sync.Mutex
	entries map[string]cachedModel
}

type cachedModel struct {
	model   *ent.CLVModel
	fetched time.Time
}

const modelCacheTTL = 10 * time.Second

// latestModel returns the organization's latest weekly model, or nil.
func (r *Resolver) latestModel(ctx context.Context) (*ent.CLVModel, error) {
	org, _ := tenant.OrganizationID(ctx)
	r.models.mu.Lock()
	e, ok := r.models.entries[org]
	r.models.mu.Unlock()
	if ok && time.Since(e.fetched) < modelCacheTTL {
		return e.model, nil
	}
	m, err := r.values.Latest(ctx, clvmodel.UnitWEEKS)
	if err != nil {
		return nil, err
	}
	r.models.mu.Lock()
	if r.models.entries == nil {
		r.models.entries = map[string]cachedModel{}
	}
	r.models.entries[org] = cachedModel{model: m, fetched: time.Now()}
	r.models.mu.Unlock()
	return m, nil
}

// forgetModel drops the organization's cached model after a refit.
func (r *Resolver) forgetModel(ctx context.Context) {
	org, _ := tenant.OrganizationID(ctx)
	r.models.mu.Lock()
	delete(r.models.entries, org)
	r.models.mu.Unlock()
}
