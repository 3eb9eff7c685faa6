package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/headlesscrm/crm/internal/contactimport"
	"github.com/headlesscrm/crm/internal/tenant"
)

const importContactsHelp = `usage: crm import contacts --org SLUG [--phases] FILE

Imports contacts from FILE ("-" for standard input): CSV whose first line names
the columns. Columns are recognized by their header, in any case and with or
without spaces, underscores and hyphens ("First Name", first_name, firstName):

  email                the contact's email address, stored in lower case
  external id          the contact's ID in another system
  first name, last name, phone, title (or job title), lead source
  lifecycle stage      SUBSCRIBER, LEAD, MARKETING_QUALIFIED_LEAD, SALES_QUALIFIED_LEAD,
                       OPPORTUNITY, CUSTOMER, EVANGELIST or OTHER, in any case,
                       with spaces for underscores ("Marketing qualified lead")
  newsletter opt-in    yes or no (true or false, 1 or 0); also "newsletter"
  birth date           YYYY-MM-DD
  gender               FEMALE, MALE, NON_BINARY, OTHER or UNDISCLOSED
  tags                 separated by commas or semicolons
  last contacted at    YYYY-MM-DD, YYYY-MM-DD HH:MM:SS (UTC) or RFC 3339

Any other column goes into the contacts' custom fields, under its header as
written, with its cells as text. Columns of fields the CRM computes (id,
created_at, predicted_clv, value_score, …) are ignored. An empty cell means
"not given".

Every row needs an email or an external id. A row whose email (in any case),
or else external id, is an existing contact's updates that contact with the
row's non-empty cells, custom fields merged into the contact's; the other rows
create contacts. The output counts the contacts created, updated and
unchanged. A file with bad lines, or with two rows for one contact, is refused
whole, each bad line reported, and nothing is written. One audit entry
(record type ContactImport) records the import and its counts; no per-contact
events or webhooks are raised. Analytics (CLV, value scores, segments) are not
recomputed: run crm analytics refresh afterwards. Until then new contacts have
a predicted CLV, probability alive and value score of 0, and no value tier or
RFM segment.

Flags:
`

// importContacts loads a CSV file of contacts into an organization.
func importContacts(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import contacts", flag.ContinueOnError)
	var c config
	c.flags(fs)
	slug := fs.String("org", "", "organization slug")
	verbose := fs.Bool("phases", false, "print how long each step of the import took")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), importContactsHelp)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" || fs.NArg() != 1 {
		return fmt.Errorf("usage: crm import contacts --org SLUG [--phases] FILE (crm import contacts --help lists the columns)")
	}
	name, in, source := fs.Arg(0), io.Reader(os.Stdin), "standard input"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in, source = f, filepath.Base(name)
	}
	start := time.Now()
	file, err := contactimport.Read(bufio.NewReaderSize(in, 1<<20))
	if err != nil {
		return refused(source, err)
	}
	readTook := time.Since(start)
	s, _, org, err := c.openOrg(ctx, *slug)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := contactimport.Load(tenant.WithOrganization(ctx, org.ID.String()), s, file, source)
	if err != nil {
		return refused(source, err)
	}
	fmt.Printf("Imported %s into %s in %s: %d rows, %d contacts created, %d updated, %d unchanged (audit: %s).\n",
		source, org.Slug, time.Since(start).Round(time.Millisecond), rep.Rows, rep.Created, rep.Updated, rep.Unchanged, rep.ID)
	if cf := file.CustomFields(); len(cf) > 0 {
		fmt.Printf("Custom fields from the columns %s.\n", quoteAll(cf))
	}
	if ig := file.Ignored(); len(ig) > 0 {
		fmt.Printf("Ignored the columns %s: the CRM computes them.\n", quoteAll(ig))
	}
	fmt.Printf("Analytics (CLV, value scores, segments) were not recomputed: run crm analytics refresh --org %s.\n", org.Slug)
	if *verbose {
		fmt.Printf("  %-40s %s\n", "read and check the file", readTook.Round(time.Millisecond))
		for _, p := range rep.Phases {
			fmt.Printf("  %-40s %s\n", p.Name, p.Took.Round(time.Millisecond))
		}
	}
	return nil
}

// refused reports the bad lines of a refused file on standard error.
func refused(source string, err error) error {
	var lineErrs contactimport.Errors
	if errors.As(err, &lineErrs) {
		fmt.Fprintf(os.Stderr, "%s: %d bad line(s), nothing imported:\n%s\n", source, len(lineErrs), lineErrs.Error())
		return fmt.Errorf("import refused")
	}
	return err
}

// quoteAll returns the names quoted and separated by commas.
func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
