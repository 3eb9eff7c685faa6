package webhook

import (
	"encoding/json"
	"time"

	"github.com/headlesscrm/crm/ent"
)

// Payload is the JSON body of a webhook request (see the package
// documentation for an example).
type Payload struct {
	// Type is the dotted event name, such as "deal.won".
	Type string `json:"type"`
	// Timestamp is when the event happened, RFC 3339 in UTC.
	Timestamp string `json:"timestamp"`
	// Data holds eventId, eventType (the enum value, "DEAL_WON"),
	// subjectType, subjectId, actorKind and actorId, and the keys of the
	// event's own data ("object", "changes", …).
	Data map[string]any `json:"data"`
}

// PayloadOf returns the webhook payload of an event.
func PayloadOf(e *ent.Event) Payload {
	data := make(map[string]any, len(e.Data)+6)
	for k, v := range e.Data {
		data[k] = v
	}
	data["eventId"] = string(e.ID)
	data["eventType"] = string(e.Type)
	data["subjectType"] = e.SubjectType
	data["subjectId"] = e.SubjectID
	data["actorKind"] = string(e.ActorKind)
	data["actorId"] = e.ActorID
	return Payload{
		Type:      e.Type.Name(),
		Timestamp: e.CreatedAt.UTC().Format(time.RFC3339Nano),
		Data:      data,
	}
}

// Body returns the JSON body posted for an event.
func Body(e *ent.Event) ([]byte, error) {
	return json.Marshal(PayloadOf(e))
}
