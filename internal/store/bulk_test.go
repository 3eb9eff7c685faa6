package store

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lib/pq"
)

// TestAppendTimestamp checks the COPY text of UTC timestamps against
// lib/pq's own.
func TestAppendTimestamp(t *testing.T) {
	times := []time.Time{
		time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2025, time.June, 2, 0, 0, 0, 0, time.UTC),
		time.Date(2024, time.February, 29, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(2023, time.December, 31, 9, 5, 7, 120_000_000, time.UTC),
		time.Date(9999, time.December, 31, 23, 59, 59, 1, time.UTC),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		times = append(times, time.Unix(r.Int64N(4e9), r.Int64N(1e9)*int64(r.IntN(2))).UTC())
	}
	for _, tm := range times {
		if got, want := string(appendTimestamp(nil, tm)), string(pq.FormatTimestamp(tm)); got != want {
			t.Errorf("%v: got %q, want %q", tm, got, want)
		}
	}
}

// TestCopyValue checks which values are preformatted for COPY.
func TestCopyValue(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip(err)
	}
	local := time.Date(2025, time.June, 2, 10, 0, 0, 0, paris)
	for _, c := range []struct {
		in, want any
	}{
		{time.Date(2025, time.June, 2, 10, 0, 0, 0, time.UTC), "2025-06-02 10:00:00Z"},
		{local, local},
		{[]byte(`{"a":1}`), []byte(`{"a":1}`)},
		{json.RawMessage(`{"a":1}`), `{"a":1}`},
		{int64(3), int64(3)},
		{nil, nil},
	} {
		got, _ := copyValue(c.in, nil)
		if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", c.want) {
			t.Errorf("copyValue(%#v) = %#v, want %#v", c.in, got, c.want)
		}
	}
}
