package analytics

import (
	"strings"
	"testing"
)

func TestParseCDNOW(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    []Purchase
		wantErr bool
	}{
		{
			name:  "sample layout with CRLF",
			input: " 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n",
			want:  []Purchase{{"00004", date(1997, 1, 1), 29.33}, {"00004", date(1997, 1, 18), 29.73}},
		},
		{
			name:  "master layout with header and blank lines",
			input: " customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n\r\n 00002 19970112  1   12.00\r\n",
			want:  []Purchase{{"00001", date(1997, 1, 1), 11.77}, {"00002", date(1997, 1, 12), 12}},
		},
		{name: "empty", input: "", want: nil},
		{name: "wrong column count", input: "00001 19970101 11.77\n", wantErr: true},
		{name: "bad date after data", input: "00001 19970101 1 1.0\n00001 1997-01-02 1 1.0\n", wantErr: true},
		{name: "bad amount", input: "00001 19970101 1 $1\n", wantErr: true},
		{name: "bad calendar date", input: "00001 19970230 1 1.0\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCDNOW(strings.NewReader(tt.input))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d purchases, want %d: %+v", len(got), len(tt.want), got)
			}
			for i := range got {
				if got[i].CustomerID != tt.want[i].CustomerID || !got[i].At.Equal(tt.want[i].At) || got[i].Amount != tt.want[i].Amount {
					t.Errorf("purchase %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestParseCDNOWFiles(t *testing.T) {
	tests := []struct {
		file      string
		purchases int
		customers int
	}{
		{"CDNOW_sample.txt", 6919, 2357},
		{"CDNOW_master.txt", 69659, 23570},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ps := loadPurchases(t, tt.file)
			if len(ps) != tt.purchases {
				t.Errorf("purchases = %d, want %d", len(ps), tt.purchases)
			}
			ids := map[string]bool{}
			for _, p := range ps {
				ids[p.CustomerID] = true
			}
			if len(ids) != tt.customers {
				t.Errorf("customers = %d, want %d", len(ids), tt.customers)
			}
		})
	}
}
