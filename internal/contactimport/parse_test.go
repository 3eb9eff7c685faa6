package contactimport_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/headlesscrm/crm/internal/contactimport"
)

// TestBadFilesAreRefusedNamingLineAndColumn feeds files with mistakes:
// each is refused whole, every bad line reported with its number and the
// column at fault as the file spells it.
func TestBadFilesAreRefusedNamingLineAndColumn(t *testing.T) {
	type want = contactimport.LineError
	for _, tc := range []struct {
		name, file string
		want       []want
		// mention is a text the first problem's message must hold.
		mention string
	}{
		{name: "an empty file", file: "",
			want: []want{{Line: 1}}},
		{name: "no key column", file: "first name,last name\nAda,Lovelace\n",
			want: []want{{Line: 1}}},
		{name: "two columns of one field", file: "Email,E-mail\na@x.example,a@x.example\n",
			want: []want{{Line: 1, Column: "E-mail"}}, mention: `"Email"`},
		{name: "a link to another record", file: "email,Account ID\na@x.example,acc_1\n",
			want: []want{{Line: 1, Column: "Account ID"}}},
		{name: "a bad email", file: "Email,First Name\nada@x.example,Ada\nnot-an-email,Bob\n",
			want: []want{{Line: 3, Column: "Email"}}},
		{name: "a first name too long", file: "email,first_name\na@x.example," + strings.Repeat("x", 101) + "\n",
			want: []want{{Line: 2, Column: "first_name"}}, mention: "100"},
		{name: "an unknown lifecycle stage", file: "email,Lifecycle Stage\na@x.example,Prospect\n",
			want: []want{{Line: 2, Column: "Lifecycle Stage"}}, mention: "SUBSCRIBER"},
		{name: "an email twice, in another case", file: "email\nada@x.example\nb@x.example\nAda@X.example\n",
			want: []want{{Line: 4, Column: "email"}}, mention: "line 2"},
		{name: "an external id twice", file: "external_id,email\nk1,a@x.example\nk1,b@x.example\n",
			want: []want{{Line: 3, Column: "external_id"}}, mention: "line 2"},
		{name: "a row without key", file: "email,external id,first name\n,,Ada\n",
			want: []want{{Line: 2, Column: "email"}}},
		{name: "a date not as YYYY-MM-DD", file: "email,birth date\na@x.example,10/12/1815\n",
			want: []want{{Line: 2, Column: "birth date"}}},
		{name: "neither yes nor no", file: "email,newsletter\na@x.example,maybe\n",
			want: []want{{Line: 2, Column: "newsletter"}}},
		{name: "not a time", file: "email,last contacted\na@x.example,yesterday\n",
			want: []want{{Line: 2, Column: "last contacted"}}},
		{name: "too many tags", file: "email,tags\na@x.example,\"" + manyTags(51) + "\"\n",
			want: []want{{Line: 2, Column: "tags"}}},
		{name: "an unknown gender", file: "email,gender\na@x.example,robot\n",
			want: []want{{Line: 2, Column: "gender"}}},
		{name: "a value past the header", file: "email\na@x.example,extra\n",
			want: []want{{Line: 2}}},
		{name: "text that is not UTF-8", file: "email,Notes\na@x.example,\xff\n",
			want: []want{{Line: 2, Column: "Notes"}}},
		{name: "malformed CSV", file: "email,first name\na@x.example,\"Ada\n",
			want: []want{{Line: 2}}},
		{name: "every bad line", file: "email,lifecycle stage\nbad,LEAD\nb@x.example,LEAD\nc@x.example,none\n",
			want: []want{{Line: 2, Column: "email"}, {Line: 4, Column: "lifecycle stage"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := contactimport.Read(strings.NewReader(tc.file))
			var got contactimport.Errors
			if !errors.As(err, &got) || f != nil {
				t.Fatalf("got a file and error %v; want line errors and no file", err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v; want %v", got, tc.want)
			}
			for i, w := range tc.want {
				if got[i].Line != w.Line || got[i].Column != w.Column || got[i].Message == "" {
					t.Errorf("problem %d = %+v; want line %d, column %q and a message", i, got[i], w.Line, w.Column)
				}
			}
			if !strings.Contains(got[0].Message, tc.mention) {
				t.Errorf("message %q does not mention %q", got[0].Message, tc.mention)
			}
		})
	}
}

// TestColumnsAreRecognizedByTheirHeader reads headers in several
// spellings: the fields are recognized however they are written, computed
// fields are ignored, and any other column is a custom field.
func TestColumnsAreRecognizedByTheirHeader(t *testing.T) {
	for _, tc := range []struct {
		name, header          string
		wantCustom, wantIgnor []string
	}{
		{name: "snake case", header: "email,first_name,last_name,job_title,external_id,lifecycle_stage,lead_source,newsletter_opt_in,birth_date,gender,tags,last_contacted_at"},
		{name: "spaced words", header: "Email Address,First Name,Last Name,Job Title,External ID,Lifecycle Stage,Lead Source,Newsletter Opt-In,Date of Birth,Gender,Tags,Last Contacted"},
		{name: "camel case", header: "email,firstName,lastName,title,externalId,lifecycleStage,leadSource,newsletter,birthDate,gender,tags,lastContactedAt"},
		{name: "custom and computed columns", header: "E-Mail,Company,Favourite Colour,id,Value Score",
			wantCustom: []string{"Company", "Favourite Colour"}, wantIgnor: []string{"id", "Value Score"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := contactimport.Read(strings.NewReader(tc.header + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := f.CustomFields(); strings.Join(got, "|") != strings.Join(tc.wantCustom, "|") {
				t.Errorf("custom fields %q; want %q", got, tc.wantCustom)
			}
			if got := f.Ignored(); strings.Join(got, "|") != strings.Join(tc.wantIgnor, "|") {
				t.Errorf("ignored %q; want %q", got, tc.wantIgnor)
			}
		})
	}
}

// TestBlankRowsAreSkipped reads a file with blank lines and rows of empty
// cells, as spreadsheets export them: they are not rows.
func TestBlankRowsAreSkipped(t *testing.T) {
	f, err := contactimport.Read(strings.NewReader("\ufeffemail,first name\r\na@x.example,Ada\r\n,\r\n\r\n , \r\nb@x.example,Bob\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Len() != 2 {
		t.Errorf("%d rows; want 2", f.Len())
	}
}

// manyTags returns n different tags separated by commas.
func manyTags(n int) string {
	tags := make([]string, n)
	for i := range tags {
		tags[i] = "tag" + strconv.Itoa(i)
	}
	return strings.Join(tags, ",")
}
