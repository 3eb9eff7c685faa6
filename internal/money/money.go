// Package money holds exact monetary amounts. An Amount is a whole number of
// cents (hundredths of the currency unit) stored as a 64-bit integer, so sums
// and comparisons are exact on every database, and it travels through GraphQL
// as a decimal string such as "1234.50".
package money

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Amount is an exact amount of money in cents.
type Amount int64

// Max is the largest amount accepted from users: 10^15 currency units.
const Max Amount = 1e17

// FromCents returns the amount of c cents.
func FromCents(c int64) Amount { return Amount(c) }

// FromFloat returns the amount nearest to f currency units.
func FromFloat(f float64) Amount { return Amount(math.Round(f * 100)) }

// Cents returns the amount in cents.
func (a Amount) Cents() int64 { return int64(a) }

// Float returns the amount in currency units, for statistics.
func (a Amount) Float() float64 { return float64(a) / 100 }

// String formats the amount as a decimal with two fraction digits.
func (a Amount) String() string {
	sign := ""
	v := int64(a)
	if v < 0 {
		sign = "-"
		v = -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// Parse reads a decimal amount such as "12", "12.5" or "-12.50". More than two
// fraction digits, exponents and values beyond Max are errors, never rounded.
func Parse(s string) (Amount, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("amount is empty")
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" && (!hasFrac || frac == "") {
		return 0, fmt.Errorf("%q is not a decimal amount", s)
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("amount %q has more than two decimal places", s)
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("%q is not a decimal amount", s)
		}
	}
	if whole == "" {
		whole = "0"
	}
	if len(whole) > 15 {
		return 0, fmt.Errorf("amount %q is too large", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a decimal amount", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	c := w*100 + f
	if neg {
		c = -c
	}
	return Amount(c), nil
}

// MarshalGQL implements graphql.Marshaler: amounts are decimal strings.
func (a Amount) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(a.String()))
}

// UnmarshalGQL implements graphql.Unmarshaler. It accepts a decimal string or
// an integer; floats are refused because they cannot carry exact cents.
func (a *Amount) UnmarshalGQL(v any) error {
	switch v := v.(type) {
	case string:
		p, err := Parse(v)
		if err != nil {
			return err
		}
		*a = p
	case int:
		return a.UnmarshalGQL(strconv.Itoa(v))
	case int64:
		return a.UnmarshalGQL(strconv.FormatInt(v, 10))
	case json.Number:
		return a.UnmarshalGQL(v.String())
	default:
		return fmt.Errorf("a Money value must be a decimal string such as \"12.50\"")
	}
	return nil
}

// Scan implements sql.Scanner.
func (a *Amount) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*a = Amount(v)
	case float64:
		*a = Amount(math.Round(v))
	case []byte:
		return a.Scan(string(v))
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("money: bad stored amount %q", v)
		}
		*a = Amount(n)
	case nil:
		*a = 0
	default:
		return fmt.Errorf("money: unexpected type %T", src)
	}
	return nil
}

// Value implements driver.Valuer: amounts are stored as integer cents.
func (a Amount) Value() (driver.Value, error) { return int64(a), nil }
