package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/headlesscrm/crm/internal/server"
)

// rateLimits reads the request rates serve allows from the environment:
// CRM_RATE_PER_VIEWER (requests per second of one API token or user,
// default 20) and CRM_RATE_PER_IP (of one client address, default 50), the
// bursts being twice the rates. Load tests from one address with one token
// raise them; nothing else needs to.
func rateLimits() (server.RateLimits, error) {
	var l server.RateLimits
	for _, v := range []struct {
		name  string
		rate  *float64
		burst *int
	}{
		{"CRM_RATE_PER_VIEWER", &l.PerViewer, &l.ViewerBurst},
		{"CRM_RATE_PER_IP", &l.PerIP, &l.IPBurst},
	} {
		s := os.Getenv(v.name)
		if s == "" {
			continue
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f <= 0 || f > 1e9 {
			return l, fmt.Errorf("bad %s %q: want a positive number of requests per second", v.name, s)
		}
		*v.rate, *v.burst = f, int(2*f)+1
	}
	return l, nil
}
