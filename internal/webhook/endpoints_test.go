package webhook

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/errs"
	"github.com/headlesscrm/crm/internal/eventtype"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
)

// TestCreateEndpointValidation refuses bad input with BAD_USER_INPUT on
// the field at fault, and stores nothing.
func TestCreateEndpointValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		prod := NewService(s.Client, ClientOptions{Resolver: testResolver})
		won := []eventtype.Type{eventtype.DealWon}
		tests := []struct {
			name  string
			svc   *Service
			in    EndpointInput
			field string
		}{
			{"no url", e.svc, EndpointInput{EventTypes: won}, "url"},
			{"ftp", e.svc, EndpointInput{URL: "ftp://hooks.example/", EventTypes: won}, "url"},
			{"userinfo", e.svc, EndpointInput{URL: "https://a:b@hooks.example/", EventTypes: won}, "url"},
			{"private", e.svc, EndpointInput{URL: "http://10.1.2.3:8080/", EventTypes: won}, "url"},
			{"metadata", e.svc, EndpointInput{URL: "http://169.254.169.254/", EventTypes: won}, "url"},
			{"loopback in production", prod, EndpointInput{URL: "http://127.0.0.1/", EventTypes: won}, "url"},
			{"name resolving to private", prod, EndpointInput{URL: "https://evil.example/", EventTypes: won}, "url"},
			{"no event types", prod, EndpointInput{URL: "https://hooks.example/"}, "eventTypes"},
			{"unknown event type", prod, EndpointInput{URL: "https://hooks.example/", EventTypes: []eventtype.Type{eventtype.DealWon, "DEAL_EXPLODED"}}, "eventTypes"},
			{"long description", prod, EndpointInput{URL: "https://hooks.example/", EventTypes: won, Description: strings.Repeat("x", 501)}, "description"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, secret, err := tt.svc.CreateEndpoint(e.ctx, tt.in)
				var ee *errs.Error
				if !errors.As(err, &ee) || ee.Code != errs.BadUserInput || ee.Field != tt.field {
					t.Errorf("CreateEndpoint = %v, want BAD_USER_INPUT on %s", err, tt.field)
				}
				if secret != "" {
					t.Error("a secret was returned with an error")
				}
			})
		}
		if n := s.Client.WebhookEndpoint.Query().CountX(e.ctx); n != 0 {
			t.Errorf("%d endpoints stored by invalid input", n)
		}
	})
}

// TestEndpointLifecycle creates, updates, and deletes an endpoint, as its
// organization only.
func TestEndpointLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		svc := NewService(s.Client, ClientOptions{Resolver: testResolver})
		ctx := auth.NewContext(e.ctx, &auth.Viewer{UserID: "usr_01ADMIN", Role: auth.RoleAdmin})
		ep, secret, err := svc.CreateEndpoint(ctx, EndpointInput{
			URL:         "https://hooks.example/crm",
			EventTypes:  []eventtype.Type{eventtype.DealWon, eventtype.ContactCreated, eventtype.DealWon},
			Description: "ERP sync",
		})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, SecretPrefix) || ep.Secret != secret || !ep.Enabled || ep.CreatedBy != "usr_01ADMIN" ||
			ep.Description != "ERP sync" || len(ep.EventTypes) != 2 || ep.EventTypes[0] != eventtype.DealWon || ep.EventTypes[1] != eventtype.ContactCreated {
			t.Errorf("created %+v", ep)
		}

		url, types, desc, off := "https://hooks.example:8443/v2", []eventtype.Type{eventtype.DealLost}, "", false
		got, err := svc.UpdateEndpoint(e.ctx, ep.ID, EndpointUpdate{URL: &url, EventTypes: &types, Description: &desc, Enabled: &off})
		if err != nil {
			t.Fatal(err)
		}
		if got.URL != url || len(got.EventTypes) != 1 || got.EventTypes[0] != eventtype.DealLost || got.Description != "" || got.Enabled || got.Secret != secret {
			t.Errorf("updated %+v", got)
		}
		bad, none := "http://192.168.0.1/", []eventtype.Type{}
		for _, tt := range []struct {
			in    EndpointUpdate
			field string
		}{
			{EndpointUpdate{URL: &bad}, "url"},
			{EndpointUpdate{EventTypes: &none}, "eventTypes"},
		} {
			var ee *errs.Error
			if _, err := svc.UpdateEndpoint(e.ctx, ep.ID, tt.in); !errors.As(err, &ee) || ee.Field != tt.field {
				t.Errorf("UpdateEndpoint = %v, want an error on %s", err, tt.field)
			}
		}

		other := e.otherOrg()
		if _, err := svc.UpdateEndpoint(other, ep.ID, EndpointUpdate{Description: &desc}); !ent.IsNotFound(err) {
			t.Errorf("update from another organization: %v, want not found", err)
		}
		if _, _, err := svc.RotateSecret(other, ep.ID, time.Hour); !ent.IsNotFound(err) {
			t.Errorf("rotation from another organization: %v, want not found", err)
		}
		if err := svc.DeleteEndpoint(other, ep.ID); !ent.IsNotFound(err) {
			t.Errorf("delete from another organization: %v, want not found", err)
		}

		_, d := e.raise(ep)
		if err := svc.DeleteEndpoint(e.ctx, ep.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Client.WebhookDelivery.Get(e.ctx, d.ID); !ent.IsNotFound(err) {
			t.Errorf("the deleted endpoint's delivery: %v, want deleted with it", err)
		}
		if err := svc.DeleteEndpoint(e.ctx, ep.ID); !ent.IsNotFound(err) {
			t.Errorf("deleting again: %v, want not found", err)
		}
		if _, err := svc.Redeliver(e.ctx, d.ID); !ent.IsNotFound(err) {
			t.Errorf("redelivering a deleted delivery: %v, want not found", err)
		}
	})
}
