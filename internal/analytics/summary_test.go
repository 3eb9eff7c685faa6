package analytics

import (
	"math"
	"testing"
	"time"
)

func TestTimeUnit(t *testing.T) {
	tests := []struct {
		unit       TimeUnit
		days       float64
		duration   time.Duration
		name       string
		oneMonth   float64
		fourteenDs float64
	}{
		{Days, 1, 24 * time.Hour, "days", 30.4375, 14},
		{Weeks, 7, 7 * 24 * time.Hour, "weeks", 30.4375 / 7, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.unit.Days(); got != tt.days {
				t.Errorf("Days() = %v, want %v", got, tt.days)
			}
			if got := tt.unit.Duration(); got != tt.duration {
				t.Errorf("Duration() = %v, want %v", got, tt.duration)
			}
			if got := tt.unit.String(); got != tt.name {
				t.Errorf("String() = %q, want %q", got, tt.name)
			}
			if got := tt.unit.FromMonths(1); math.Abs(got-tt.oneMonth) > 1e-12 {
				t.Errorf("FromMonths(1) = %v, want %v", got, tt.oneMonth)
			}
			if got := tt.unit.FromDays(14); got != tt.fourteenDs {
				t.Errorf("FromDays(14) = %v, want %v", got, tt.fourteenDs)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	asOf := date(1997, 9, 30)
	purchases := []Purchase{
		// Customer "b": three purchase days, two purchases on Jan 18 merge.
		{"b", date(1997, 1, 1), 10},
		{"b", date(1997, 1, 18).Add(9 * time.Hour), 20},
		{"b", date(1997, 1, 18).Add(17 * time.Hour), 5},
		{"b", date(1997, 8, 2), 15},
		// After the as-of day: ignored.
		{"b", date(1997, 10, 1), 1000},
		// Customer "a": one purchase on the as-of day itself, late in the day.
		{"a", asOf.Add(23*time.Hour + 59*time.Minute), 7},
		// Customer "c": only purchases after the as-of day: omitted.
		{"c", date(1997, 12, 24), 99},
		// Customer "d": local time whose UTC date is the previous day.
		{"d", time.Date(1997, 3, 2, 0, 30, 0, 0, time.FixedZone("CET", 3600)), 3},
		{"d", date(1997, 3, 1).Add(12 * time.Hour), 4},
	}
	tests := []struct {
		name string
		unit TimeUnit
		want []CustomerSummary
	}{
		{
			name: "weeks",
			unit: Weeks,
			want: []CustomerSummary{
				{CustomerID: "a", Frequency: 0, Recency: 0, T: 0, MonetaryValue: 0, Transactions: 1, Revenue: 7,
					FirstPurchase: asOf, LastPurchase: asOf},
				{CustomerID: "b", Frequency: 2, Recency: 213.0 / 7, T: 272.0 / 7, MonetaryValue: (25.0 + 15) / 2, Transactions: 3, Revenue: 50,
					FirstPurchase: date(1997, 1, 1), LastPurchase: date(1997, 8, 2)},
				{CustomerID: "d", Frequency: 0, Recency: 0, T: 213.0 / 7, MonetaryValue: 0, Transactions: 1, Revenue: 7,
					FirstPurchase: date(1997, 3, 1), LastPurchase: date(1997, 3, 1)},
			},
		},
		{
			name: "days",
			unit: Days,
			want: []CustomerSummary{
				{CustomerID: "a", Transactions: 1, Revenue: 7, FirstPurchase: asOf, LastPurchase: asOf},
				{CustomerID: "b", Frequency: 2, Recency: 213, T: 272, MonetaryValue: 20, Transactions: 3, Revenue: 50,
					FirstPurchase: date(1997, 1, 1), LastPurchase: date(1997, 8, 2)},
				{CustomerID: "d", T: 213, Transactions: 1, Revenue: 7, FirstPurchase: date(1997, 3, 1), LastPurchase: date(1997, 3, 1)},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Summarize(purchases, asOf, tt.unit)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d summaries, want %d: %+v", len(got), len(tt.want), got)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.CustomerID != w.CustomerID || g.Frequency != w.Frequency || g.Transactions != w.Transactions ||
					math.Abs(g.Recency-w.Recency) > 1e-12 || math.Abs(g.T-w.T) > 1e-12 ||
					math.Abs(g.MonetaryValue-w.MonetaryValue) > 1e-12 || math.Abs(g.Revenue-w.Revenue) > 1e-12 ||
					!g.FirstPurchase.Equal(w.FirstPurchase) || !g.LastPurchase.Equal(w.LastPurchase) {
					t.Errorf("summary %d:\n got %+v\nwant %+v", i, g, w)
				}
			}
		})
	}
}

func TestSummarizeEmpty(t *testing.T) {
	if got := Summarize(nil, date(2024, 1, 1), Days); len(got) != 0 {
		t.Errorf("Summarize(nil) = %v, want empty", got)
	}
}

func TestSummarizeCDNOWSample(t *testing.T) {
	d := cdnowSample(t)
	if got, want := len(d.summaries), 2357; got != want {
		t.Errorf("customers = %d, want %d", got, want)
	}
	repeaters := 0
	for _, c := range d.summaries {
		if c.Frequency > 0 {
			repeaters++
		}
	}
	if got, want := repeaters, 946; got != want {
		t.Errorf("customers with repeat purchases = %d, want %d", got, want)
	}
	// The first customer of the sample (master id 00004) is the worked
	// example of the BG/NBD papers: x = 2, t_x = 30.43, T = 38.86 weeks.
	c := d.summaries[0]
	if c.CustomerID != "00004" || c.Frequency != 2 || math.Abs(c.Recency-30.43) > 0.005 || math.Abs(c.T-38.86) > 0.005 {
		t.Errorf("first customer = %+v, want 00004 with x=2, t_x=30.43, T=38.86", c)
	}
	if want := (29.73 + 14.96) / 2; math.Abs(c.MonetaryValue-want) > 1e-9 {
		t.Errorf("first customer m̄ = %v, want mean of repeat transactions %v", c.MonetaryValue, want)
	}
}
