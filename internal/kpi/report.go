// Package kpi computes an organization's key performance indicators over a
// period: satisfaction (CSAT, NPS, CES), customer retention and churn,
// acquisition cost and CLV:CAC, lead conversion, campaign response and ROI
// by campaign and channel, the best time to contact, sales performance,
// the weighted pipeline, revenue concentration and service load.
//
// Every figure is an SQL aggregate over one organization's rows; Go only
// reads the aggregated rows and divides. The same queries run on SQLite and
// PostgreSQL; the few fragments that differ live in dialect.go.
//
// Terms used in the definitions:
//
//   - The period is the half-open interval [From, To): a time t is in the
//     period when From ≤ t < To, so anything at exactly To is outside.
//   - A purchase is a WON deal with a close time (closed_at); its value is
//     the deal's amount and it happens at closed_at.
//   - A customer is a contact with at least one purchase. Purchases without
//     a contact count in revenue but make nobody a customer. A contact's
//     first purchase is its earliest one; it becomes a customer then.
//   - A campaign runs in the period when it starts before To and has not
//     ended by From: COALESCE(starts_at, created_at) < To and (ends_at is
//     NULL or ends_at > From).
//   - A campaign member was sent the campaign when its status is not
//     TARGETED or its sent_at is set, and responded when it was sent and its
//     responded_at is set or its status is RESPONDED, ATTENDED, CONVERTED or
//     CLICKED.
//   - A day is 24 hours; the activity window of a customer is the 365 days
//     before an instant. Hours, weekdays and months are taken in UTC.
//
// Rates and ratios are fractions (0.25 is 25 %) unless a field says
// otherwise, and are nil when undefined (a zero denominator); they are never
// NaN or infinite. Money is exact integer cents.
package kpi

import (
	"time"

	"github.com/headlesscrm/crm/internal/money"
)

// Period is the half-open interval [From, To) a report covers.
type Period struct {
	// From is the first instant of the period (inclusive).
	From time.Time
	// To is the end of the period (exclusive).
	To time.Time
}

// Report holds an organization's KPIs over a period.
type Report struct {
	// From is the first instant of the period (inclusive).
	From time.Time
	// To is the end of the period (exclusive).
	To time.Time

	// Revenue is the sum of the amounts of the WON deals closed in the
	// period, with or without a contact.
	Revenue money.Amount
	// Purchases is the number of WON deals closed in the period.
	Purchases int
	// ActiveCustomers is the number of contacts with at least one WON deal
	// closed in the period.
	ActiveCustomers int
	// NewCustomers is the number of contacts whose first WON deal closed in
	// the period.
	NewCustomers int

	// CSAT summarizes the responses to CSAT surveys submitted in the period.
	CSAT CSAT
	// NPS summarizes the responses to NPS surveys submitted in the period.
	NPS NPS
	// CES summarizes the responses to CES surveys submitted in the period.
	CES CES

	// Retention is the customer retention and churn over the period.
	Retention Retention
	// Acquisition is the blended customer acquisition cost of the period
	// and its ratio to the new customers' predicted lifetime value.
	Acquisition Acquisition
	// LeadConversion is the share of the contacts created in the period
	// that became customers by the end of the period.
	LeadConversion LeadConversion

	// Campaigns are the campaigns that ran in the period, by channel, name
	// and ID.
	Campaigns []CampaignStats
	// Channels are the channels of the campaigns that ran in the period, in
	// channel order, each summing its campaigns.
	Channels []ChannelStats
	// BestChannel is the channel with the highest ROI among those with a
	// cost above zero; ties go to the higher revenue, then to the channel
	// name in alphabetical order. Nil when no channel had a cost.
	BestChannel *string

	// ContactTime is the campaign response rate by UTC hour and weekday of
	// sending, over the members sent a campaign in the period.
	ContactTime ContactTime

	// Sales is the win rate, deal size and sales cycle of the deals closed
	// in the period, overall and per owner.
	Sales Sales

	// Pipeline is the open pipeline by month of expected close: 12 entries,
	// the UTC calendar month containing From and the 11 months after it.
	// Only deals whose expected_close_date is at or after From count, so the
	// first month leaves out deals expected before From (overdue ones).
	// Deals are counted as they are now: a deal is in the pipeline when its
	// status is OPEN when the report is computed.
	Pipeline []PipelineMonth

	// RevenueConcentration is how much of the customers' revenue in the
	// period came from the top 20 % of them.
	RevenueConcentration RevenueConcentration

	// Service is the support tickets' load and cost in the period.
	Service Service
}

// CSAT is the customer satisfaction score: responses (1–5) to CSAT surveys
// submitted in the period.
type CSAT struct {
	// Responses is the number of CSAT responses submitted in the period.
	Responses int
	// Satisfied is the number of those responses with a score of 4 or 5.
	Satisfied int
	// Score is the percentage of satisfied responses, 0–100:
	// 100 × Satisfied ÷ Responses. Nil without responses.
	Score *float64
	// Mean is the mean score of the responses, 1–5. Nil without responses.
	Mean *float64
}

// NPS is the net promoter score: responses (0–10) to NPS surveys submitted
// in the period.
type NPS struct {
	// Responses is the number of NPS responses submitted in the period.
	Responses int
	// Promoters is the number of responses scoring 9 or 10.
	Promoters int
	// Passives is the number of responses scoring 7 or 8.
	Passives int
	// Detractors is the number of responses scoring 0 to 6.
	Detractors int
	// Score is the percentage of promoters minus the percentage of
	// detractors, −100 to 100: 100 × (Promoters − Detractors) ÷ Responses.
	// Nil without responses.
	Score *float64
}

// CES is the customer effort score: responses (1–7) to CES surveys
// submitted in the period.
type CES struct {
	// Responses is the number of CES responses submitted in the period.
	Responses int
	// Mean is the mean score of the responses, 1–7. Nil without responses.
	Mean *float64
}

// Retention is the customer retention rate (E − N) ÷ S of the period, with
// customers counted as active at an instant when they made a purchase in
// the 365 days before it.
type Retention struct {
	// StartCustomers (S) is the number of customers active at the start of
	// the period: with a purchase in [From − 365 days, From).
	StartCustomers int
	// EndCustomers (E) is the number of customers active at the end of the
	// period: with a purchase in [To − 365 days, To).
	EndCustomers int
	// NewCustomers (N) is the number of customers whose first purchase is
	// in the period.
	NewCustomers int
	// Retained (E − N) is the number of customers active at the end of the
	// period whose first purchase was before From. It equals E − N whenever
	// the period is at most 365 days long (every new customer is then active
	// at the end); for longer periods it keeps new customers who lapsed
	// again from making it negative. It includes lapsed customers who came
	// back, so it can exceed S.
	Retained int
	// Rate is the customer retention rate Retained ÷ StartCustomers, i.e.
	// (E − N) ÷ S. It can exceed 1 when lapsed customers came back. Nil when
	// S is 0.
	Rate *float64
	// ChurnRate is 1 − Rate. Nil when S is 0.
	ChurnRate *float64
}

// Acquisition is the blended customer acquisition cost (CAC) of the period.
type Acquisition struct {
	// CampaignCost is the sum of the actual costs of the campaigns that ran
	// in the period (each campaign's whole actual cost).
	CampaignCost money.Amount
	// NewCustomers is the number of customers whose first purchase is in
	// the period, whatever acquired them.
	NewCustomers int
	// ReferredNewCustomers is the number of those new customers that were
	// referred by another contact (referred_by_id set).
	ReferredNewCustomers int
	// CAC is CampaignCost ÷ NewCustomers, rounded to the cent. Nil without
	// new customers.
	CAC *money.Amount
	// MeanPredictedCLV is the mean predicted CLV of the new customers (the
	// predicted_clv of their contacts' rows of contact_values), in
	// currency units (contacts not yet scored count as 0). Nil without new
	// customers.
	MeanPredictedCLV *float64
	// CLVToCAC is MeanPredictedCLV ÷ CAC, both in currency units (CAC not
	// rounded). Nil when CAC is nil or zero.
	CLVToCAC *float64
}

// LeadConversion is the lead conversion rate of the period.
type LeadConversion struct {
	// Leads is the number of contacts created in the period.
	Leads int
	// Converted is the number of those contacts with a purchase before To.
	Converted int
	// Rate is Converted ÷ Leads. Nil without leads.
	Rate *float64
}

// CampaignStats is the performance of one campaign that ran in the period.
// Cost is the campaign's whole actual cost, members are all its members,
// customers are all it acquired up to To, and revenue is that of its deals
// closed in the period.
type CampaignStats struct {
	// CampaignID is the campaign's ID.
	CampaignID string
	// Name is the campaign's name.
	Name string
	// Channel is the campaign's channel, such as EMAIL.
	Channel string
	// Cost is the campaign's actual cost.
	Cost money.Amount
	// Sent is the number of members that were sent the campaign (status not
	// TARGETED, or sent_at set).
	Sent int
	// Responses is the number of sent members that responded (responded_at
	// set, or status RESPONDED, ATTENDED, CONVERTED or CLICKED).
	Responses int
	// ResponseRate is Responses ÷ Sent. Nil when nothing was sent.
	ResponseRate *float64
	// Customers is the number of contacts acquired by the campaign
	// (acquisition_campaign_id) that made a purchase before To.
	Customers int
	// CAC is Cost ÷ Customers, rounded to the cent. Nil without customers.
	CAC *money.Amount
	// WonDeals is the number of WON deals sourced by the campaign
	// (source_campaign_id) closed in the period.
	WonDeals int
	// Revenue is the sum of the amounts of those deals.
	Revenue money.Amount
	// ROI is the return on investment (Revenue − Cost) ÷ Cost. Nil when the
	// cost is zero.
	ROI *float64
}

// ChannelStats is the performance of one channel: the sums over its
// campaigns that ran in the period, with the same definitions as
// CampaignStats.
type ChannelStats struct {
	// Channel is the channel, such as EMAIL.
	Channel string
	// Campaigns is the number of the channel's campaigns that ran in the
	// period.
	Campaigns int
	// Cost is the sum of those campaigns' actual costs.
	Cost money.Amount
	// Sent is the number of their members that were sent the campaign.
	Sent int
	// Responses is the number of their sent members that responded.
	Responses int
	// ResponseRate is Responses ÷ Sent. Nil when nothing was sent.
	ResponseRate *float64
	// Customers is the number of customers they acquired up to To.
	Customers int
	// CAC is Cost ÷ Customers, rounded to the cent. Nil without customers.
	CAC *money.Amount
	// WonDeals is the number of WON deals they sourced closed in the period.
	WonDeals int
	// Revenue is the sum of the amounts of those deals.
	Revenue money.Amount
	// ROI is (Revenue − Cost) ÷ Cost. Nil when the cost is zero.
	ROI *float64
}

// ContactTime is the campaign response rate by the UTC hour and weekday at
// which members were sent a campaign, over the campaign members of all
// campaigns whose sent_at is in the period.
type ContactTime struct {
	// ByHour has 24 entries, for the UTC hours 0 to 23 of sent_at.
	ByHour []TimeSlot
	// ByWeekday has 7 entries, Monday to Sunday, for the UTC weekday of
	// sent_at.
	ByWeekday []TimeSlot
	// BestHour is the hour with the highest response rate; ties go to more
	// responses, then to the earlier hour. Nil when nothing was sent.
	BestHour *int
	// BestWeekday is the weekday with the highest response rate; ties go to
	// more responses, then to the earlier day of the week (Monday first).
	// Nil when nothing was sent.
	BestWeekday *time.Weekday
}

// TimeSlot is the response rate of the members sent in one hour of the day
// or one day of the week.
type TimeSlot struct {
	// Hour is the UTC hour of day, 0–23, in ContactTime.ByHour; 0 otherwise.
	Hour int
	// Weekday is the UTC day of the week in ContactTime.ByWeekday; Sunday
	// (0) otherwise.
	Weekday time.Weekday
	// Sent is the number of members with sent_at in the period in this slot.
	Sent int
	// Responses is the number of those members that responded.
	Responses int
	// ResponseRate is Responses ÷ Sent. Nil when nothing was sent.
	ResponseRate *float64
}

// Sales is the sales performance over the deals closed (WON or LOST) in the
// period.
type Sales struct {
	// Won is the number of WON deals closed in the period.
	Won int
	// Lost is the number of LOST deals closed in the period.
	Lost int
	// WinRate is Won ÷ (Won + Lost). Nil when no deal closed.
	WinRate *float64
	// Revenue is the sum of the amounts of the WON deals closed in the
	// period.
	Revenue money.Amount
	// AverageDealSize is Revenue ÷ Won, rounded to the cent. Nil when no
	// deal was won.
	AverageDealSize *money.Amount
	// SalesCycleDays is the mean number of days (with fraction) from
	// created_at to closed_at of the WON deals closed in the period. Nil when
	// no deal was won.
	SalesCycleDays *float64
	// ByOwner is the same per deal owner, by revenue (highest first), then
	// owner ID, deals without an owner last.
	ByOwner []OwnerSales
}

// OwnerSales is the sales performance of one deal owner over the deals
// closed in the period.
type OwnerSales struct {
	// OwnerID is the owner's user ID; nil for deals without an owner.
	OwnerID *string
	// Deals is the number of the owner's deals closed (WON or LOST) in the
	// period.
	Deals int
	// Won is the number of those deals that were WON.
	Won int
	// Lost is the number of those deals that were LOST.
	Lost int
	// WinRate is Won ÷ Deals.
	WinRate *float64
	// Revenue is the sum of the amounts of the owner's WON deals.
	Revenue money.Amount
	// AverageDealSize is Revenue ÷ Won, rounded to the cent. Nil when the
	// owner won no deal.
	AverageDealSize *money.Amount
	// SalesCycleDays is the mean number of days from created_at to
	// closed_at of the owner's WON deals. Nil when the owner won no deal.
	SalesCycleDays *float64
}

// PipelineMonth is the open pipeline expected to close in one UTC calendar
// month.
type PipelineMonth struct {
	// Month is the month, "YYYY-MM".
	Month string
	// Start is the first instant of the month, in UTC.
	Start time.Time
	// Deals is the number of OPEN deals whose expected_close_date falls in
	// the month (and at or after From).
	Deals int
	// Amount is the sum of their amounts.
	Amount money.Amount
	// Weighted is the weighted forecast: the sum of amount × the
	// probability of the deal's stage, rounded to the cent. A deal without a
	// stage weighs 0.
	Weighted money.Amount
}

// RevenueConcentration is the share of the customers' revenue in the period
// that came from the top 20 % of them. Only purchases with a contact count.
type RevenueConcentration struct {
	// Customers is the number of customers with a purchase in the period.
	Customers int
	// CustomerRevenue is the sum of the amounts of their purchases in the
	// period.
	CustomerRevenue money.Amount
	// TopCustomers is the top 20 % of those customers by revenue in the
	// period, rounded up: ⌈Customers ÷ 5⌉.
	TopCustomers int
	// TopRevenue is the revenue in the period of the TopCustomers customers
	// with the highest revenue (ties broken by contact ID, which does not
	// change the sum).
	TopRevenue money.Amount
	// Share is TopRevenue ÷ CustomerRevenue. Nil when CustomerRevenue is 0.
	Share *float64
}

// Service is the support tickets' load and cost in the period.
type Service struct {
	// Opened is the number of tickets opened (opened_at) in the period.
	Opened int
	// Resolved is the number of tickets resolved (resolved_at) in the
	// period, whenever they were opened.
	Resolved int
	// MeanResolutionHours is the mean number of hours from opened_at to
	// resolved_at of the tickets resolved in the period. Nil when none was.
	MeanResolutionHours *float64
	// CostToServe is the sum of the cost_to_serve of the tickets opened in
	// the period.
	CostToServe money.Amount
}
