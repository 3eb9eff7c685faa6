package main

import (
	"os"
	"runtime/debug"
)

// serveGCPercent is the garbage collector's target that serve runs with
// unless GOGC or GOMEMLIMIT is set. A GraphQL request allocates a few
// megabytes that die with it while the live heap stays small, so the
// default of 100 collects many times a second under load; at 300 the
// collector costs about a quarter less CPU per request (bench/peer-compare.sh:
// 7.4–7.9 ms instead of 9.7–10.2 ms per nested page) for a peak RSS of
// about 135 MB instead of 90 MB under 16 concurrent requests.
const serveGCPercent = 300

// tuneGC sets serve's garbage-collection target, leaving an explicit
// GOGC or GOMEMLIMIT alone.
func tuneGC() {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
}
