package analytics

import (
	"math"
	"os"
	"sync"
	"testing"
	"time"
)

// The CDNOW calibration period of Fader, Hardie & Lee (2005) ends on
// 1997-09-30 (weeks 1-39); the holdout period is 1997-10-01..1998-06-30
// (weeks 40-78).
var (
	cdnowCalibrationEnd = time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC)
	cdnowHoldoutEnd     = time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC)
)

type cdnowData struct {
	purchases []Purchase
	summaries []CustomerSummary // weeks, calibration period
	bg        BGNBDFit
	bgErr     error
	gg        GammaGammaFit
	ggErr     error
}

var (
	sampleOnce sync.Once
	sample     cdnowData
)

// loadPurchases parses a CDNOW file from testdata.
func loadPurchases(tb testing.TB, name string) []Purchase {
	tb.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	ps, err := ParseCDNOW(f)
	if err != nil {
		tb.Fatal(err)
	}
	return ps
}

// cdnowSample returns the CDNOW sample with its calibration summaries and
// fits, computed once per test binary.
func cdnowSample(tb testing.TB) *cdnowData {
	tb.Helper()
	sampleOnce.Do(func() {
		sample.purchases = loadPurchases(tb, "CDNOW_sample.txt")
		sample.summaries = Summarize(sample.purchases, cdnowCalibrationEnd, Weeks)
		sample.bg, sample.bgErr = FitBGNBD(sample.summaries)
		sample.gg, sample.ggErr = FitGammaGamma(sample.summaries)
	})
	if sample.summaries == nil {
		tb.Fatal("CDNOW sample failed to load")
	}
	return &sample
}

// within3SF reports whether got agrees with a published value want given
// to three significant figures (within half a unit of the third figure).
func within3SF(got, want float64) bool {
	unit := math.Pow(10, math.Floor(math.Log10(math.Abs(want)))-2)
	return math.Abs(got-want) <= unit/2
}

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
