// Package events raises the CRM's events and fans them out. Events are
// written in the transaction of the change that raised them (an outbox),
// together with one webhook delivery per subscribed endpoint; the Broker
// then streams them to GraphQL subscriptions, on every instance sharing the
// database, and the webhook workers deliver them.
package events

import (
	"context"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/ent/survey"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/changes"
	"github.com/headlesscrm/crm/internal/eventtype"
	"github.com/headlesscrm/crm/internal/pulid"
)

// Event is an event to raise.
type Event struct {
	// Type is what happened.
	Type eventtype.Type
	// SubjectType and SubjectID name the record the event is about.
	SubjectType string
	SubjectID   pulid.ID
	// Actor caused the event; nil for the CRM itself.
	Actor *auth.Viewer
	// Data is the payload.
	Data map[string]any
	// At is when the event happened, its created_at; zero means now.
	At time.Time
}

// Raise writes one event, like RaiseAll, and returns it.
func Raise(ctx context.Context, client *ent.Client, e Event) (*ent.Event, error) {
	evs, err := raise(ctx, client, []Event{e})
	if err != nil {
		return nil, err
	}
	return evs[0], nil
}

// Channel is the PostgreSQL notification channel on which instances
// announce new events; the payload is the event's organization.
const Channel = "crm_events"

// notifyOrganization tells the other instances that events of the
// organization were raised. On PostgreSQL the notification is sent when
// the transaction commits; in process the broker's wake-up is best effort,
// and its poll catches anything missed.
func notifyOrganization(ctx context.Context, client *ent.Client, org string) error {
	if tx := ent.TxFromContext(ctx); tx != nil {
		// Wake the local broker and workers once the event is committed.
		tx.OnCommit(func(next ent.Committer) ent.Committer {
			return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
				err := next.Commit(ctx, tx)
				if err == nil {
					wakeLocal()
				}
				return err
			})
		})
	} else {
		wakeLocal()
	}
	if client.Dialect() != dialect.Postgres {
		return nil
	}
	_, err := client.ExecContext(ctx, "SELECT pg_notify($1, $2)", Channel, org)
	return err
}

// Record is the changes.Recorder that raises the events of a change made
// through the API: created, updated and deleted for contacts, accounts and
// deals; a deal's stage change, win and loss; a submitted survey response,
// flagged as a detractor's for NPS 0–6 and CSAT 1–2; and a contact's spend
// crossing the organization's threshold with a won deal.
func Record(ctx context.Context, client *ent.Client, c *changes.Change) error {
	es, err := eventsOf(ctx, client, c)
	if err != nil {
		return err
	}
	return RaiseAll(ctx, client, es)
}

// crud maps record types to their created, updated and deleted events.
var crud = map[string][3]eventtype.Type{
	"Contact": {eventtype.ContactCreated, eventtype.ContactUpdated, eventtype.ContactDeleted},
	"Account": {eventtype.AccountCreated, eventtype.AccountUpdated, eventtype.AccountDeleted},
	"Deal":    {eventtype.DealCreated, eventtype.DealUpdated, eventtype.DealDeleted},
}

func eventsOf(ctx context.Context, client *ent.Client, c *changes.Change) ([]Event, error) {
	base := Event{SubjectType: c.Type, SubjectID: c.ID, Actor: c.Actor}
	with := func(t eventtype.Type, data map[string]any) Event {
		e := base
		e.Type, e.Data = t, data
		return e
	}
	object := func() map[string]any {
		d := map[string]any{"id": c.ID.String()}
		if obj := c.Object(); obj != nil {
			d["object"] = obj
		}
		return d
	}
	var out []Event
	if types, ok := crud[c.Type]; ok {
		switch {
		case c.IsCreate():
			out = append(out, with(types[0], object()))
		case c.IsUpdate():
			d := object()
			d["changes"] = c.Fields
			out = append(out, with(types[1], d))
		case c.IsDelete():
			out = append(out, with(types[2], map[string]any{"id": c.ID.String()}))
		}
	}
	if c.Type == "Deal" && !c.IsDelete() {
		if f, ok := c.Changed("stageID"); ok && c.IsUpdate() {
			d := object()
			d["fromStageID"], d["toStageID"] = f.Old, f.New
			out = append(out, with(eventtype.DealStageChanged, d))
		}
		if f, ok := c.Changed("status"); ok {
			switch statusOf(f.New) {
			case deal.StatusWON:
				out = append(out, with(eventtype.DealWon, object()))
				crossed, err := spendThresholdCrossed(ctx, client, c)
				if err != nil {
					return nil, err
				}
				if crossed != nil {
					out = append(out, *crossed)
				}
			case deal.StatusLOST:
				out = append(out, with(eventtype.DealLost, object()))
			}
		}
	}
	if c.Type == "SurveyResponse" && c.IsCreate() {
		out = append(out, with(eventtype.SurveyResponseSubmitted, surveyData(ctx, client, c, object())))
	}
	return out, nil
}

func statusOf(v any) deal.Status {
	switch s := v.(type) {
	case deal.Status:
		return s
	case string:
		return deal.Status(s)
	}
	return ""
}

// surveyData adds the survey's kind and whether the answer is a
// detractor's: NPS 0–6, CSAT 1–2.
func surveyData(ctx context.Context, client *ent.Client, c *changes.Change, d map[string]any) map[string]any {
	r, ok := c.Record.(*ent.SurveyResponse)
	if !ok {
		return d
	}
	kind, err := client.Survey.Query().Where(survey.ID(r.SurveyID)).Select(survey.FieldKind).String(ctx)
	if err != nil {
		return d
	}
	d["surveyKind"] = kind
	d["detractor"] = (kind == string(survey.KindNPS) && r.Score <= 6) || (kind == string(survey.KindCSAT) && r.Score <= 2)
	return d
}
