package segment

import (
	"context"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/segment"
	"github.com/headlesscrm/crm/internal/errs"
	"github.com/headlesscrm/crm/internal/pulid"
)

// Create validates the rule, saves the segment and computes its members.
func Create(ctx context.Context, client *ent.Client, name string, description *string, rule *Rule, now time.Time) (*ent.Segment, error) {
	if err := rule.ValidateAt("input.rule"); err != nil {
		return nil, err
	}
	m, err := rule.Map()
	if err != nil {
		return nil, err
	}
	seg, err := client.Segment.Create().SetName(name).SetNillableDescription(description).SetRule(m).Save(ctx)
	if err != nil {
		return nil, errs.From(err)
	}
	if _, _, err := Refresh(ctx, client, seg, now); err != nil {
		return nil, err
	}
	return client.Segment.Get(ctx, seg.ID)
}

// Update changes a segment and, when its rule changes, recomputes its
// members. The rules of built-in RFM segments cannot change.
func Update(ctx context.Context, client *ent.Client, id pulid.ID, name, description *string, rule *Rule, now time.Time) (*ent.Segment, error) {
	seg, err := client.Segment.Get(ctx, id)
	if err != nil {
		return nil, errs.From(err)
	}
	u := client.Segment.UpdateOne(seg).SetNillableName(name).SetNillableDescription(description)
	if rule != nil {
		if seg.Kind == segment.KindRFM {
			return nil, errs.Input("input.rule", "the rule of a built-in RFM segment cannot change")
		}
		if err := rule.ValidateAt("input.rule"); err != nil {
			return nil, err
		}
		m, err := rule.Map()
		if err != nil {
			return nil, err
		}
		u.SetRule(m)
	}
	if seg, err = u.Save(ctx); err != nil {
		return nil, errs.From(err)
	}
	if rule != nil {
		if _, _, err := Refresh(ctx, client, seg, now); err != nil {
			return nil, err
		}
	}
	return client.Segment.Get(ctx, seg.ID)
}
