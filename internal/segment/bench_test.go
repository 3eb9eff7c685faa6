package segment

import (
	"context"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
)

// benchRule mixes field comparisons, JSON containment, a count subquery and
// a negated relation.
var benchRule = Or(
	And(Cond(FieldValueTier, OpEQ, "VIP"), Not(rel(RelationWonDeal, within(182)))),
	And(Cond(FieldNewsletterOptIn, OpEQ, "true"), Cond(FieldTags, OpContains, "t3")),
	rel(RelationWonDeal, minCount(2)),
)

func benchDialects(b *testing.B, fn func(b *testing.B, client *ent.Client, ctx context.Context)) {
	for _, d := range storetest.Dialects() {
		b.Run(d, func(b *testing.B) {
			s := storetest.Open(b, d, nil)
			ctx := tenant.WithOrganization(context.Background(), string(newOrg(b, s, "bench")))
			seedContacts(b, s.Client, ctx, 5000)
			if d == dialect.Postgres {
				// Fresh tables have no statistics until autovacuum runs:
				// plan as production would.
				if _, err := s.DB.ExecContext(ctx, "ANALYZE"); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			fn(b, s.Client, ctx)
		})
	}
}

// BenchmarkPredicate compiles a rule and counts its members among 5,000
// contacts.
func BenchmarkPredicate(b *testing.B) {
	benchDialects(b, func(b *testing.B, client *ent.Client, ctx context.Context) {
		for b.Loop() {
			p, err := benchRule.Predicate(testNow)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := client.Contact.Query().Where(p).Count(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRefresh refreshes a segment of 5,000 contacts whose rule
// alternates between two halves, so that each refresh moves about 2,500
// members in and out.
func BenchmarkRefresh(b *testing.B) {
	benchDialects(b, func(b *testing.B, client *ent.Client, ctx context.Context) {
		even := mapOf(b, Cond(FieldNewsletterOptIn, OpEQ, "true"))
		odd := mapOf(b, Cond(FieldNewsletterOptIn, OpEQ, "false"))
		seg, err := client.Segment.Create().SetName("bench").SetRule(even).Save(ctx)
		if err != nil {
			b.Fatal(err)
		}
		i := 0
		for b.Loop() {
			rule := even
			if i%2 == 1 {
				rule = odd
			}
			i++
			b.StopTimer()
			seg = client.Segment.UpdateOne(seg).SetRule(rule).SaveX(ctx)
			b.StartTimer()
			if _, _, err := Refresh(ctx, client, seg, testNow); err != nil {
				b.Fatal(err)
			}
		}
	})
}
