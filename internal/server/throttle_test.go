package server_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/headlesscrm/crm/internal/identity"
)

// TestLoginThrottlePerAccount: wrong passwords in a row lock the account
// for a while, even against the right password; the lock passes, and a
// successful login resets the count.
func TestLoginThrottlePerAccount(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		f.tenant("acme")
		now := time.Now()
		f.ids.SetClock(func() time.Time { return now })
		try := func(password string) string {
			return f.do("", loginMutation, map[string]any{"email": "owner@acme.example", "password": password}).code()
		}
		for i := 1; i < identity.FailuresBeforeLock; i++ {
			if got := try("wrong password!"); got != "UNAUTHENTICATED" {
				t.Fatalf("failure %d got %s; want UNAUTHENTICATED", i, got)
			}
		}
		if got := try("wrong password!"); got != "RATE_LIMITED" {
			t.Fatalf("failure %d got %s; want RATE_LIMITED", identity.FailuresBeforeLock, got)
		}
		if got := try("correct horse battery"); got != "RATE_LIMITED" {
			t.Errorf("the right password during the lock got %s; want RATE_LIMITED", got)
		}
		now = now.Add(identity.LockBase + time.Second)
		if got := try("correct horse battery"); got != "" {
			t.Errorf("the right password after the lock got %s; want success", got)
		}
		if got := try("wrong password!"); got != "UNAUTHENTICATED" {
			t.Errorf("after a success the count restarts; got %s", got)
		}
	})
}

// TestLoginThrottleDoesNotRevealAccounts: an email of no account answers
// wrong passwords exactly as an account does, lock included, so the
// answers never tell whether an account exists.
func TestLoginThrottleDoesNotRevealAccounts(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		f.tenant("acme")
		answers := func(email string) []string {
			var out []string
			for range identity.FailuresBeforeLock + 1 {
				out = append(out, f.do("", loginMutation, map[string]any{"email": email, "password": "wrong password!"}).code())
			}
			return out
		}
		real, unknown := answers("owner@acme.example"), answers("nobody@acme.example")
		if fmt.Sprint(real) != fmt.Sprint(unknown) {
			t.Errorf("an account answers %v; an email of none answers %v", real, unknown)
		}
		if real[len(real)-1] != "RATE_LIMITED" {
			t.Errorf("answers %v; want the last RATE_LIMITED", real)
		}
	})
}

// TestLoginThrottlePerAddress: one address guessing across many accounts
// is stopped after its allowance of failures.
func TestLoginThrottlePerAddress(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		f.tenant("acme")
		for i := 0; i < identity.IPFailureBurst; i++ {
			r := f.do("", loginMutation, map[string]any{"email": fmt.Sprintf("guess%d@acme.example", i), "password": "wrong password!"})
			if r.code() != "UNAUTHENTICATED" {
				t.Fatalf("guess %d got %s", i, r.code())
			}
		}
		r := f.do("", loginMutation, map[string]any{"email": "owner@acme.example", "password": "correct horse battery"})
		if r.code() != "RATE_LIMITED" {
			t.Errorf("after %d failures the address got %q; want RATE_LIMITED", identity.IPFailureBurst, r.code())
		}
	})
}
