// Command purchaselog writes a synthetic purchase log as CSV for
// `crm import purchases`: -customers customers with about -purchases
// purchases each over -years years, in date order as an order system
// exports them. The same flags and -seed give the same file.
//
// Nine customers in ten are named by email, sometimes in capitals (the
// import folds case), the tenth by an external ID; about half the rows
// carry a cost, and one purchase in a hundred is repeated on the same day
// for the same amount, as a customer buying twice does.
//
//	go run ./bench/purchaselog -customers 1000000 -purchases 5 >purchases.csv
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"time"
)

var (
	firstNames = []string{"ada", "alan", "grace", "edsger", "barbara", "donald", "frances", "john", "margaret", "ken",
		"dennis", "radia", "tim", "sophie", "linus", "hedy", "claude", "katherine", "niklaus", "annie"}
	lastNames = []string{"lovelace", "turing", "hopper", "dijkstra", "liskov", "knuth", "allen", "backus", "hamilton",
		"thompson", "ritchie", "perlman", "lee", "wilson", "torvalds", "lamarr", "shannon", "johnson", "wirth", "easley"}
	domains = []string{"example.com", "example.org", "example.net", "mail.example", "shop.example"}
)

// sale is one purchase before it is written.
type sale struct {
	customer int32
	cents    int32
	cost     int32 // -1 when unknown
}

func main() {
	customers := flag.Int("customers", 1000000, "number of customers")
	purchases := flag.Float64("purchases", 5, "mean number of purchases per customer (at least 1)")
	years := flag.Int("years", 4, "years of history, ending on -end")
	end := flag.String("end", "2024-12-31", "last day of the history, YYYY-MM-DD")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	last, err := time.Parse(time.DateOnly, *end)
	if err != nil || *customers < 1 || *purchases < 1 || *years < 1 {
		fmt.Fprintln(os.Stderr, "purchaselog: want -customers ≥ 1, -purchases ≥ 1, -years ≥ 1 and -end YYYY-MM-DD")
		os.Exit(2)
	}
	first := last.AddDate(-*years, 0, 1)
	days := int(last.Sub(first).Hours()/24) + 1
	r := rand.New(rand.NewPCG(*seed, 0x9e3779b97f4a7c15))

	// Each customer's purchases, bucketed by day so they come out in date
	// order.
	byDay := make([][]sale, days)
	for c := 0; c < *customers; c++ {
		n := 1 + poisson(r, *purchases-1)
		spend := math.Exp(3 + r.NormFloat64()*0.7) // mean order value, dollars
		joined := r.IntN(days)
		for range n {
			day := joined + r.IntN(days-joined)
			cents := int32(max(100, math.Round(spend*(0.5+r.Float64())*100)))
			cost := int32(-1)
			if r.IntN(2) == 0 {
				cost = int32(float64(cents) * (0.4 + 0.3*r.Float64()))
			}
			s := sale{customer: int32(c), cents: cents, cost: cost}
			byDay[day] = append(byDay[day], s)
			if r.IntN(100) == 0 {
				byDay[day] = append(byDay[day], s)
			}
		}
	}

	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	w.WriteString("email,external_id,date,amount,cost\n")
	var b []byte
	for d, sales := range byDay {
		date := first.AddDate(0, 0, d).Format(time.DateOnly)
		r.Shuffle(len(sales), func(i, j int) { sales[i], sales[j] = sales[j], sales[i] })
		for _, s := range sales {
			b = appendCustomer(b[:0], int(s.customer), *seed, r.IntN(20) == 0)
			b = append(b, date...)
			b = append(b, ',')
			b = appendCents(b, int64(s.cents))
			b = append(b, ',')
			if s.cost >= 0 {
				b = appendCents(b, int64(s.cost))
			}
			b = append(b, '\n')
			w.Write(b)
		}
		byDay[d] = nil
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "purchaselog:", err)
		os.Exit(1)
	}
}

// appendCustomer appends the email and external_id columns of customer c,
// each followed by a comma: an email for nine customers in ten (in
// capitals when shout is set), an external ID for the tenth.
func appendCustomer(b []byte, c int, seed uint64, shout bool) []byte {
	if c%10 == 9 {
		b = append(b, ',')
		b = append(b, "cust-"...)
		b = strconv.AppendInt(b, int64(c), 10)
		return append(b, ',')
	}
	h := mix(uint64(c) ^ seed)
	start := len(b)
	b = append(b, firstNames[h%uint64(len(firstNames))]...)
	b = append(b, '.')
	b = append(b, lastNames[h/32%uint64(len(lastNames))]...)
	b = strconv.AppendInt(b, int64(c), 10)
	b = append(b, '@')
	b = append(b, domains[h/1024%uint64(len(domains))]...)
	if shout {
		for i := start; i < len(b); i++ {
			if 'a' <= b[i] && b[i] <= 'z' {
				b[i] -= 'a' - 'A'
			}
		}
	}
	return append(b, ',', ',')
}

// appendCents appends an amount of cents as a decimal with two places.
func appendCents(b []byte, cents int64) []byte {
	b = strconv.AppendInt(b, cents/100, 10)
	b = append(b, '.')
	if cents%100 < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, cents%100, 10)
}

// poisson draws from a Poisson distribution of mean lambda (Knuth's method,
// in steps for large means).
func poisson(r *rand.Rand, lambda float64) int {
	n := 0
	for lambda > 0 {
		step := min(lambda, 30)
		lambda -= step
		limit, p := math.Exp(-step), 1.0
		for {
			p *= r.Float64()
			if p <= limit {
				break
			}
			n++
		}
	}
	return n
}

// mix is SplitMix64's finalizer: a bijective hash of x.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
