package valuation

import (
	"context"
	"fmt"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/clvmodel"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/tenant"
)

// Model returns the organization's model fitted on purchases up to asOf
// (inclusive of that day) in the unit. A fit stored by an earlier call or
// refresh is returned as it is; otherwise the model is fitted and stored.
func (s *Service) Model(ctx context.Context, asOf time.Time, unit clvmodel.Unit) (*ent.CLVModel, error) {
	org, ok := tenant.OrganizationID(ctx)
	if !ok {
		return nil, errNoOrg
	}
	opt := Options{AsOf: asOf, Unit: unit}.withDefaults(s.now())
	m, err := s.store.Client.CLVModel.Query().Where(clvmodel.AsOf(opt.AsOf), clvmodel.UnitEQ(opt.Unit)).Only(ctx)
	if err == nil {
		return m, nil
	}
	if !ent.IsNotFound(err) {
		return nil, err
	}
	contacts, err := s.readContacts(ctx, org, campaigns{}, nil)
	if err != nil {
		return nil, err
	}
	if _, err := s.summarizeDeals(ctx, org, opt.AsOf, UnitOf(opt.Unit), contacts, nil); err != nil {
		return nil, fmt.Errorf("valuation: reading purchases: %w", err)
	}
	return s.saveModel(ctx, opt, analytics.Fit(contacts.buyers, UnitOf(opt.Unit)), len(contacts.buyers), contacts.transactions, s.now())
}

// Latest returns the most recently fitted model of the organization in the
// unit, or nil when none was fitted yet.
func (s *Service) Latest(ctx context.Context, unit clvmodel.Unit) (*ent.CLVModel, error) {
	m, err := s.store.Client.CLVModel.Query().Where(clvmodel.UnitEQ(unit)).
		Order(ent.Desc(clvmodel.FieldFittedAt)).First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return m, err
}
