package purchases_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/headlesscrm/crm/internal/purchases"
)

// BenchmarkReadCSV reads a log of 100,000 rows, 20,000 customers, into a
// Log; -benchmem shows what it keeps.
func BenchmarkReadCSV(b *testing.B) {
	var file bytes.Buffer
	file.WriteString("email,external_id,date,amount,cost\n")
	for i := range 100_000 {
		c := i * 7919 % 20_000
		fmt.Fprintf(&file, "customer.%d@shop.example,,2024-%02d-%02d,%d.%02d,\n", c, 1+i%12, 1+i%28, 10+i%300, i%100)
	}
	b.SetBytes(int64(file.Len()))
	b.ResetTimer()
	for range b.N {
		l, err := purchases.ReadCSV(bytes.NewReader(file.Bytes()))
		if err != nil || l.Len() != 100_000 {
			b.Fatalf("read %v rows, error %v", l, err)
		}
	}
}
