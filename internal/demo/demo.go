// Package demo fills an organization with deterministic, realistic synthetic
// CRM data of any size: accounts and contacts, two sales pipelines, a product
// catalog, two years of deals with line items, marketing campaigns and their
// members, NPS and CSAT surveys, support tickets and activities.
//
// The same Options (Seed, Now and sizes) always produce the same data; only
// the record IDs differ from one run to the next. Won deals form repeat
// purchase histories drawn from a BG/NBD-like process (a gamma-distributed
// purchase rate and a dropout per customer, with loyal, one-time, regular
// and lapsed customers), with gamma-distributed spend around a
// customer-specific mean, so customer-value models have something to fit.
//
// Rows are generated per chunk of contacts and written with multi-row
// INSERTs, or COPY, in two transactions per chunk (the contacts, then what
// refers to them), so memory stays bounded however many contacts are
// seeded.
package demo

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/organization"
	_ "github.com/headlesscrm/crm/ent/runtime" // Schema hooks, defaults and validators.
	"github.com/headlesscrm/crm/ent/user"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/crm"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/segment"
	"github.com/headlesscrm/crm/internal/tenant"
)

// Options control the size and randomness of the demo data.
type Options struct {
	// Contacts is the number of contacts; 0 means 1,000.
	Contacts int
	// Accounts is the number of company accounts; 0 means Contacts/10 (at
	// least one). About 80% of contacts belong to an account.
	Accounts int
	// Deals is the approximate number of deals; 0 means about 3.3 per
	// contact (about 5 purchases per buying customer, 60% of contacts
	// buying, plus lost and open deals). The customers' purchase rates are
	// scaled to match it; with very few deals every buyer still buys once.
	Deals int
	// Seed selects the data: the same Seed and Now give the same data.
	Seed int64
	// Now is the "today" of the data: every purchase, response and ticket
	// happens before it, follow-ups and expected closes after it. Zero
	// means the start of the current UTC day.
	Now time.Time
	// BatchSize is the number of rows per INSERT statement; 0 means 500,
	// and at most 1,300 are used.
	BatchSize int
	// Progress, when set, is called after each chunk of contacts is
	// written with the number of contacts written so far.
	Progress func(done, total int)
	// Lean writes only what customer value is computed from: accounts,
	// contacts, deals (the purchase log and the pipeline) and the catalog,
	// campaigns and surveys they refer to; no line items, campaign members,
	// survey responses, tickets or activities. The rows written are the
	// same as without Lean. For loading millions of purchases quickly.
	Lean bool
	// DB, when set, is the database under the client, of dialect Dialect
	// (dialect.Postgres or dialect.SQLite): rows are then bulk-loaded
	// through it, with COPY on PostgreSQL and wide multi-row INSERTs on
	// SQLite, in chunks of 2,000 contacts, bypassing ent's hooks; on
	// PostgreSQL several chunks are written at once, each on its own
	// connection. The data is the same as through ent.
	DB *sql.DB
	// Dialect is the dialect of DB.
	Dialect string
}

// Stats counts the rows created, per entity.
type Stats struct {
	Accounts        int
	Contacts        int
	Pipelines       int
	Stages          int
	Products        int
	Deals           int
	WonDeals        int
	LostDeals       int
	OpenDeals       int
	LineItems       int
	Campaigns       int
	CampaignMembers int
	Surveys         int
	SurveyResponses int
	Tickets         int
	Activities      int
}

// Total returns the number of rows created.
func (s Stats) Total() int {
	return s.Accounts + s.Contacts + s.Pipelines + s.Stages + s.Products + s.Deals + s.LineItems +
		s.Campaigns + s.CampaignMembers + s.Surveys + s.SurveyResponses + s.Tickets + s.Activities
}

// String summarises the counts on one line.
func (s Stats) String() string {
	return fmt.Sprintf("%d accounts, %d contacts, %d pipelines, %d stages, %d products, "+
		"%d deals (%d won, %d lost, %d open), %d line items, %d campaigns, %d campaign members, "+
		"%d surveys, %d survey responses, %d tickets, %d activities",
		s.Accounts, s.Contacts, s.Pipelines, s.Stages, s.Products,
		s.Deals, s.WonDeals, s.LostDeals, s.OpenDeals, s.LineItems, s.Campaigns, s.CampaignMembers,
		s.Surveys, s.SurveyResponses, s.Tickets, s.Activities)
}

// ErrNotEmpty is returned by Seed when the organization already has
// contacts: demo data goes into a fresh organization only.
var ErrNotEmpty = errors.New("demo: the organization already has contacts")

// Seed fills the organization org with demo data. Records are owned by the
// organization's active users who are not viewers (in email order); create
// them first. The organization must have no contacts yet.
func Seed(ctx context.Context, client *ent.Client, org pulid.ID, opt Options) (*Stats, error) {
	if opt.Contacts < 0 || opt.Accounts < 0 || opt.Deals < 0 || opt.BatchSize < 0 {
		return nil, errors.New("demo: sizes must not be negative")
	}
	if opt.DB != nil && opt.Dialect != dialect.Postgres && opt.Dialect != dialect.SQLite {
		return nil, fmt.Errorf("demo: unsupported dialect %q for bulk loading", opt.Dialect)
	}
	// Every reference the generator writes is to a record it created in
	// the organization (tests check it), so the record rules' per-row
	// check of references is skipped.
	ctx = crm.WithTrustedReferences(tenant.WithOrganization(ctx, string(org)))
	o, err := client.Organization.Query().Where(organization.ID(org)).Only(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: loading the organization: %w", err)
	}
	if exists, err := client.Contact.Query().Exist(ctx); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	} else if exists {
		return nil, ErrNotEmpty
	}
	ownerIDs, err := owners(ctx, client)
	if err != nil {
		return nil, err
	}
	g := newGenerator(opt, o.Currency, ownerIDs)
	var s sink = entSink{client: client, rows: g.batchSize}
	if opt.DB != nil {
		s = bulkSink{db: opt.DB, dialect: opt.Dialect, org: org}
		g.chunk = bulkContactsPerChunk
		if opt.Dialect == dialect.Postgres {
			g.writers = bulkWriters
		}
	}
	st := &Stats{}
	if err := g.run(ctx, s, st); err != nil {
		return st, err
	}
	if b, ok := s.(bulkSink); ok {
		if err := b.analyze(ctx); err != nil {
			return st, err
		}
	}
	return st, nil
}

// owners returns the users of the organization in ctx who own demo
// records: the active users who are not viewers, in email order.
func owners(ctx context.Context, client *ent.Client) ([]pulid.ID, error) {
	ids, err := client.User.Query().
		Where(user.Active(true), user.RoleNEQ(user.RoleVIEWER)).
		Order(ent.Asc(user.FieldEmail)).
		IDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: loading users: %w", err)
	}
	return ids, nil
}

// Demo organization and users.
const (
	DemoOrganizationName = "Demo Company"
	DemoOrganizationSlug = "demo"
	DemoAdminEmail       = "admin@demo.example"
)

// demoUsers are the users of the demo organization, the owner first.
var demoUsers = []struct {
	email, name string
	role        user.Role
}{
	{DemoAdminEmail, "Alex Morgan", user.RoleOWNER},
	{"priya.shah@demo.example", "Priya Shah", user.RoleADMIN},
	{"daniel.okafor@demo.example", "Daniel Okafor", user.RoleMANAGER},
	{"sofia.lindqvist@demo.example", "Sofia Lindqvist", user.RoleMEMBER},
	{"marcus.chen@demo.example", "Marcus Chen", user.RoleMEMBER},
	{"elena.petrova@demo.example", "Elena Petrova", user.RoleMEMBER},
	{"tom.becker@demo.example", "Tom Becker", user.RoleVIEWER},
}

// CreateDemoOrganization creates the organization "Demo Company" (slug
// "demo") with an owner, admin@demo.example, and users of every other role,
// then seeds it with opt. If seeding fails, the organization and its users
// are returned with the error, for the caller to remove. All demo users share the returned password, drawn
// from crypto/rand, so each role can be tried out; it is shown once and
// stored only as a hash. It fails if an organization with the slug exists.
func CreateDemoOrganization(ctx context.Context, client *ent.Client, opt Options) (org *ent.Organization, adminEmail, adminPassword string, err error) {
	adminPassword, err = generatePassword()
	if err != nil {
		return nil, "", "", err
	}
	sys := tenant.WithSystem(ctx)
	exists, err := client.Organization.Query().Where(organization.Slug(DemoOrganizationSlug)).Exist(sys)
	if err != nil {
		return nil, "", "", fmt.Errorf("demo: %w", err)
	}
	if exists {
		return nil, "", "", fmt.Errorf("demo: an organization with slug %q already exists", DemoOrganizationSlug)
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	created := now.AddDate(-2, 0, -7)
	org, err = client.Organization.Create().
		SetName(DemoOrganizationName).
		SetSlug(DemoOrganizationSlug).
		SetCurrency("USD").
		SetCreatedAt(created).
		SetUpdatedAt(created).
		Save(sys)
	if err != nil {
		return nil, "", "", fmt.Errorf("demo: creating the organization: %w", err)
	}
	octx := tenant.WithOrganization(ctx, string(org.ID))
	builders := make([]*ent.UserCreate, len(demoUsers))
	for i, u := range demoUsers {
		hash, err := auth.HashPassword(adminPassword)
		if err != nil {
			return nil, "", "", fmt.Errorf("demo: %w", err)
		}
		builders[i] = client.User.Create().SetEmail(u.email).SetName(u.name).SetRole(u.role).
			SetPasswordHash(hash).SetCreatedAt(created).SetUpdatedAt(created)
	}
	if err := client.User.CreateBulk(builders...).Exec(octx); err != nil {
		return nil, "", "", fmt.Errorf("demo: creating users: %w", err)
	}
	if _, err := Seed(ctx, client, org.ID, opt); err != nil {
		return org, DemoAdminEmail, "", err
	}
	// The demo ships with the built-in RFM segments and the four lists of
	// DESIGN.md §6 saved; their members are computed by the first
	// analytics refresh.
	if err := segment.EnsureBuiltins(octx, client); err != nil {
		return org, DemoAdminEmail, "", err
	}
	if err := segment.EnsurePresets(octx, client); err != nil {
		return org, DemoAdminEmail, "", err
	}
	return org, DemoAdminEmail, adminPassword, nil
}

// passwordAlphabet leaves out characters that are easy to confuse.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// generatePassword returns 20 characters drawn uniformly from
// passwordAlphabet with crypto/rand (about 115 bits).
func generatePassword() (string, error) {
	b := make([]byte, 20)
	size := big.NewInt(int64(len(passwordAlphabet)))
	for i := range b {
		n, err := rand.Int(rand.Reader, size)
		if err != nil {
			return "", fmt.Errorf("demo: generating a password: %w", err)
		}
		b[i] = passwordAlphabet[n.Int64()]
	}
	return string(b), nil
}
