package kpi

import (
	"context"
	"testing"
	"time"

	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
)

// TestDialectTimes checks the time fragments of dialect.go against times
// written by ent in several zones: on SQLite the stored text is the zone's
// local time ("2024-03-31 19:00:00 -0500 EST"), which SQLite's own date
// functions cannot read.
func TestDialectTimes(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	ist := time.FixedZone("IST", 5*3600+1800)
	now := time.Now() // Local zone, with a monotonic reading.
	cases := []struct {
		name    string
		at      time.Time
		hour    int
		weekday time.Weekday
		month   string
	}{
		{"UTC, whole seconds", time.Date(2024, 1, 10, 9, 15, 0, 0, time.UTC), 9, time.Wednesday, "2024-01"},
		{"local evening that is the next UTC day and month", time.Date(2024, 3, 31, 19, 0, 0, 0, est), 0, time.Monday, "2024-04"},
		{"positive half-hour offset with microseconds", time.Date(2024, 3, 5, 3, 10, 0, 123456000, ist), 21, time.Monday, "2024-03"},
		{"Sunday with a fraction of a second", time.Date(2024, 2, 4, 23, 59, 59, 500000000, time.UTC), 23, time.Sunday, "2024-02"},
		{"time.Now, with its monotonic reading", now, now.UTC().Hour(), now.UTC().Weekday(), now.UTC().Format("2006-01")},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		org, err := s.Client.Organization.Create().SetName("Dialect").SetSlug("dialect").Save(tenant.WithSystem(ctx))
		if err != nil {
			t.Fatal(err)
		}
		octx := tenant.WithOrganization(ctx, string(org.ID))
		d, err := newDialect(s.Dialect)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				created := tc.at.Add(-36 * time.Hour).In(ist)
				dl, err := s.Client.Deal.Create().SetName(tc.name).SetCreatedAt(created).SetClosedAt(tc.at).Save(octx)
				if err != nil {
					t.Fatal(err)
				}
				q := `
SELECT ` + d.hour("closed_at") + `, ` + d.isoWeekday("closed_at") + `, ` + d.month("closed_at") + `,
	` + d.days("closed_at", "created_at") + `,
	CASE WHEN ` + d.at("closed_at") + ` >= $2 THEN 1 ELSE 0 END,
	CASE WHEN ` + d.at("closed_at") + ` < $2 THEN 1 ELSE 0 END,
	CASE WHEN ` + d.at("closed_at") + ` < $3 THEN 1 ELSE 0 END,
	CASE WHEN ` + d.at("closed_at") + ` >= $4 THEN 1 ELSE 0 END
FROM deals WHERE organization_id = $1 AND id = $5`
				var (
					hour, iso                       int
					month                           string
					days                            float64
					geSame, ltSame, ltAfter, geLess int
				)
				err = s.DB.QueryRowContext(ctx, q, string(org.ID),
					d.arg(tc.at), d.arg(tc.at.Add(time.Microsecond)), d.arg(tc.at.Add(-time.Microsecond)), string(dl.ID),
				).Scan(&hour, &iso, &month, &days, &geSame, &ltSame, &ltAfter, &geLess)
				if err != nil {
					t.Fatal(err)
				}
				if hour != tc.hour {
					t.Errorf("hour = %d, want %d (UTC)", hour, tc.hour)
				}
				if want := (int(tc.weekday)+6)%7 + 1; iso != want {
					t.Errorf("ISO weekday = %d, want %d (%s)", iso, want, tc.weekday)
				}
				if month != tc.month {
					t.Errorf("month = %q, want %q", month, tc.month)
				}
				if diff := days - 1.5; diff > 1e-6 || diff < -1e-6 {
					t.Errorf("days from created to closed = %v, want 1.5", days)
				}
				if geSame != 1 || ltSame != 0 {
					t.Errorf("the stored time compares with the same instant as >=: %d, <: %d; want 1, 0", geSame, ltSame)
				}
				if ltAfter != 1 || geLess != 1 {
					t.Errorf("the stored time is < 1µs later: %d, >= 1µs earlier: %d; want 1, 1", ltAfter, geLess)
				}
			})
		}
	})
}

// TestDialectNanoseconds checks that on SQLite, which keeps nanoseconds,
// a time 1ns before a bound is before it.
func TestDialectNanoseconds(t *testing.T) {
	s := storetest.Open(t, "sqlite3", nil)
	ctx := context.Background()
	org, err := s.Client.Organization.Create().SetName("Nanos").SetSlug("nanos").Save(tenant.WithSystem(ctx))
	if err != nil {
		t.Fatal(err)
	}
	octx := tenant.WithOrganization(ctx, string(org.ID))
	bound := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	d := sqlDialect{}
	for _, tc := range []struct {
		name   string
		at     time.Time
		before bool
	}{
		{"1ns before, in another zone", bound.Add(-time.Nanosecond).In(time.FixedZone("CET", 3600)), true},
		{"exactly at, in another zone", bound.In(time.FixedZone("EST", -5*3600)), false},
		{"1ns after", bound.Add(time.Nanosecond), false},
	} {
		dl, err := s.Client.Deal.Create().SetName(tc.name).SetClosedAt(tc.at).Save(octx)
		if err != nil {
			t.Fatal(err)
		}
		var before bool
		q := `SELECT ` + d.at("closed_at") + ` < $1 FROM deals WHERE id = $2`
		if err := s.DB.QueryRowContext(ctx, q, d.arg(bound), string(dl.ID)).Scan(&before); err != nil {
			t.Fatal(err)
		}
		if before != tc.before {
			t.Errorf("%s: before the bound = %v, want %v", tc.name, before, tc.before)
		}
	}
}

func TestNewDialect(t *testing.T) {
	for _, name := range []string{"sqlite3", "sqlite", "postgres"} {
		if _, err := newDialect(name); err != nil {
			t.Errorf("newDialect(%q): %v", name, err)
		}
	}
	if _, err := newDialect("mysql"); err == nil {
		t.Error("newDialect(mysql) succeeded, want an error")
	}
}
