package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	entsegment "github.com/headlesscrm/crm/ent/segment"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/purchases"
	"github.com/headlesscrm/crm/internal/segment"
	"github.com/headlesscrm/crm/internal/tenant"
	"github.com/headlesscrm/crm/internal/valuation"
)

// importGCPercent is the garbage collector's target of an import unless
// GOGC or GOMEMLIMIT is set: the file's log stays in memory while every row
// written leaves garbage behind, and at the default of 100 the heap grows
// to twice the log before a collection, at 50 to one and a half (a million
// customers with five purchases each: 541-570 MB peak RSS).
const importGCPercent = 50

// importPurchases loads a purchase log into an organization.
func importPurchases(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import purchases", flag.ContinueOnError)
	var c config
	c.flags(fs)
	slug := fs.String("org", "", "organization slug")
	format := fs.String("format", "csv", "csv (header: email or external_id, date, amount[, cost]) or cdnow")
	verbose := fs.Bool("phases", false, "print how long each step of the import took")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" || fs.NArg() != 1 {
		return fmt.Errorf("usage: crm import purchases --org SLUG [--format csv|cdnow] [--phases] FILE")
	}
	read := map[string]func(io.Reader) (*purchases.Log, error){"csv": purchases.ReadCSV, "cdnow": purchases.ReadCDNOW}[*format]
	if read == nil {
		return fmt.Errorf("unknown --format %q: want csv or cdnow", *format)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(importGCPercent)
	}
	plog, err := read(f)
	var lineErrs purchases.Errors
	if errors.As(err, &lineErrs) {
		fmt.Fprintf(os.Stderr, "%s: %d bad line(s), nothing imported:\n%s\n", fs.Arg(0), len(lineErrs), lineErrs.Error())
		return fmt.Errorf("import refused")
	}
	if err != nil {
		return err
	}
	readTook := time.Since(start)
	s, _, org, err := c.openOrg(ctx, *slug)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := purchases.Load(tenant.WithOrganization(ctx, org.ID.String()), s, plog, filepath.Base(fs.Arg(0)))
	if err != nil {
		return err
	}
	fmt.Printf("Imported %s into %s in %s: %d rows, %d new contacts, %d purchases added, %d already imported (audit: %s).\n",
		fs.Arg(0), org.Slug, time.Since(start).Round(time.Millisecond), rep.Rows, rep.ContactsCreated, rep.PurchasesCreated, rep.PurchasesSkipped, rep.ID)
	if *verbose {
		fmt.Printf("  %-40s %s\n", "read and check the file", readTook.Round(time.Millisecond))
		for _, p := range rep.Phases {
			fmt.Printf("  %-40s %s\n", p.Name, p.Took.Round(time.Millisecond))
		}
	}
	return nil
}

// refreshAnalytics refits and revalues an organization's customers.
func refreshAnalytics(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("analytics refresh", flag.ContinueOnError)
	var c config
	c.flags(fs)
	slug := fs.String("org", "", "organization slug")
	asOf := fs.String("as-of", "", "last day of purchases to use, YYYY-MM-DD (default today)")
	verbose := fs.Bool("phases", false, "print how long each step of the refresh took")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" {
		return fmt.Errorf("usage: crm analytics refresh --org SLUG [--as-of YYYY-MM-DD] [--phases]")
	}
	var opt valuation.Options
	if *asOf != "" {
		t, err := time.Parse("2006-01-02", *asOf)
		if err != nil {
			return fmt.Errorf("bad --as-of %q: want YYYY-MM-DD", *asOf)
		}
		opt.AsOf = t
	}
	s, _, org, err := c.openOrg(ctx, *slug)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := valuation.New(s).Refresh(tenant.WithOrganization(ctx, org.ID.String()), opt)
	if err != nil {
		return err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := res.Model
	fmt.Printf("Refreshed %s as of %s in %s: %d contacts, %d accounts; model %s on %d customers",
		org.Slug, m.AsOf.Format("2006-01-02"), res.Took.Round(time.Millisecond), res.Contacts, res.Accounts, m.Model, m.Customers)
	if len(m.Bgnbd) > 0 {
		fmt.Printf(" (r=%.3f alpha=%.3f a=%.3f b=%.3f)", m.Bgnbd["r"], m.Bgnbd["alpha"], m.Bgnbd["a"], m.Bgnbd["b"])
	}
	fmt.Printf("; Go heap peak %.0f MB.\n", float64(ms.HeapSys)/(1<<20))
	if *verbose {
		for _, p := range res.Phases {
			fmt.Printf("  %-40s %s\n", p.Name, p.Took.Round(time.Millisecond))
		}
	}
	return nil
}

// exportSegment writes a segment's members as CSV.
func exportSegment(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export segment", flag.ContinueOnError)
	var c config
	c.flags(fs)
	slug := fs.String("org", "", "organization slug")
	name := fs.String("segment", "", "segment name or ID")
	out := fs.String("out", "", "file to write (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" || *name == "" {
		return fmt.Errorf("usage: crm export segment --org SLUG --segment NAME|ID [--out FILE]")
	}
	s, _, org, err := c.openOrg(ctx, *slug)
	if err != nil {
		return err
	}
	defer s.Close()
	octx := tenant.WithOrganization(ctx, org.ID.String())
	seg, err := s.Client.Segment.Query().Where(entsegment.Or(entsegment.Name(*name), entsegment.ID(pulid.ID(*name)))).Only(octx)
	if err != nil {
		return fmt.Errorf("no segment %q in %s", *name, org.Slug)
	}
	w := os.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	return segment.ExportCSV(octx, s.Client, seg, w)
}
