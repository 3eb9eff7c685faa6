// Command contactlog writes a synthetic contact list as CSV for
// `crm import contacts`, with the columns a CRM export has: email, names,
// phone, job title, an external ID for three contacts in ten, lifecycle
// stage, lead source, newsletter opt-in, a birth date for one in three,
// tags for one in four, and two custom fields (Company, City). The same
// flags give the same file.
//
// Emails are unique, one in twenty in capitals (the import folds case).
//
//	go run ./bench/contactlog -contacts 1000000 >contacts.csv
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

var (
	firstNames = []string{"Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret", "Ken",
		"Dennis", "Radia", "Tim", "Sophie", "Linus", "Hedy", "Claude", "Katherine", "Niklaus", "Annie"}
	lastNames = []string{"Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus", "Hamilton",
		"Thompson", "Ritchie", "Perlman", "Lee", "Wilson", "Torvalds", "Lamarr", "Shannon", "Johnson", "Wirth", "Easley"}
	domains = []string{"example.com", "example.org", "example.net", "mail.example", "shop.example"}
	titles  = []string{"", "", "Engineer", "Head of Sales", "CEO", "Marketing Manager", "Buyer", "Office Manager", "CTO", "Consultant"}
	stages  = []string{"Subscriber", "Lead", "Lead", "Lead", "Marketing qualified lead", "Sales qualified lead", "Opportunity", "Customer", "Customer", "Evangelist"}
	sources = []string{"", "Web", "Referral", "Trade show", "Paid ads", "Social media", "Webinar"}
	tagSets = []string{"vip", "newsletter", "partner; reseller", "webinar-2024", "churn-risk", "beta"}
	cities  = []string{"Berlin", "London", "Chicago", "Toronto", "Amsterdam", "Austin", "Singapore", "Madrid", "Boston", "Sydney"}
	firms   = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent"}
)

func main() {
	contacts := flag.Int("contacts", 1000000, "number of contacts")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *contacts < 1 {
		fmt.Fprintln(os.Stderr, "contactlog: want -contacts ≥ 1")
		os.Exit(2)
	}
	r := rand.New(rand.NewPCG(*seed, 0x9e3779b97f4a7c15))
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	w.WriteString("Email,First Name,Last Name,Phone,Job Title,External ID,Lifecycle Stage,Lead Source,Newsletter,Birth Date,Tags,Company,City\n")
	var b []byte
	for i := range *contacts {
		first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		b = b[:0]
		email := strings.ToLower(first) + "." + strings.ToLower(last) + "." + strconv.Itoa(i) + "@" + domains[r.IntN(len(domains))]
		if r.IntN(20) == 0 {
			email = strings.ToUpper(email)
		}
		b = append(b, email...)
		b = append(b, ',')
		b = append(b, first...)
		b = append(b, ',')
		b = append(b, last...)
		b = append(b, ",+1 555 "...)
		b = strconv.AppendInt(b, int64(1000000+r.IntN(9000000)), 10)
		b = append(b, ',')
		b = append(b, titles[r.IntN(len(titles))]...)
		b = append(b, ',')
		if r.IntN(10) < 3 {
			b = append(b, "crm1-"...)
			b = strconv.AppendInt(b, int64(i), 10)
		}
		b = append(b, ',')
		b = append(b, stages[r.IntN(len(stages))]...)
		b = append(b, ',')
		b = append(b, sources[r.IntN(len(sources))]...)
		b = append(b, ',')
		b = append(b, []string{"yes", "no"}[r.IntN(2)]...)
		b = append(b, ',')
		if r.IntN(3) == 0 {
			b = fmt.Appendf(b, "%04d-%02d-%02d", 1950+r.IntN(55), 1+r.IntN(12), 1+r.IntN(28))
		}
		b = append(b, ',')
		if r.IntN(4) == 0 {
			b = append(b, '"')
			b = append(b, tagSets[r.IntN(len(tagSets))]...)
			b = append(b, '"')
		}
		b = append(b, ',')
		b = append(b, firms[r.IntN(len(firms))]...)
		b = append(b, ',')
		b = append(b, cities[r.IntN(len(cities))]...)
		b = append(b, '\n')
		w.Write(b)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "contactlog:", err)
		os.Exit(1)
	}
}
