package server

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"
	"time"
)

// clock is a settable time.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }
func (b *buckets) takeN(key string, n int) (d decision) {
	for range n {
		d = b.take(key)
	}
	return d
}

func TestBucketsRefillAtTheirRate(t *testing.T) {
	c := newClock()
	b := newBuckets(20, 40, 1000, c.now)
	if d := b.takeN("k", 40); !d.allowed || d.remaining != 0 || d.limit != 40 {
		t.Fatalf("the 40th request of a burst of 40: %+v", d)
	}
	d := b.take("k")
	if d.allowed || d.retryAfter != 50*time.Millisecond || d.reset != 2*time.Second {
		t.Fatalf("the 41st: %+v; want refused, a token in 50ms, full in 2s", d)
	}
	c.add(50 * time.Millisecond)
	if d := b.take("k"); !d.allowed {
		t.Fatalf("after 50ms: %+v; want one more", d)
	}
	if d := b.take("other"); !d.allowed || d.remaining != 39 {
		t.Errorf("another key: %+v", d)
	}
	c.add(time.Hour)
	if d := b.take("k"); !d.allowed || d.remaining != 39 {
		t.Errorf("after an hour: %+v; want a full bucket, not more", d)
	}
}

func TestBucketsDoNotGrowWithoutBound(t *testing.T) {
	c := newClock()
	b := newBuckets(50, 100, 32_000, c.now)
	for i := range 3000 {
		b.take(fmt.Sprint("client", i))
	}
	if n := b.size(); n != 3000 {
		t.Fatalf("%d buckets; want 3000", n)
	}
	// Idle long enough to be full again, they are dropped as the shards
	// are next used.
	c.add(3 * time.Second)
	// Enough new keys that every shard is used (a shard is swept only when
	// used): with 2,000 keys over 32 shards, missing one has odds of 1e-27.
	for i := range 2000 {
		b.take(fmt.Sprint("new", i))
	}
	if n := b.size(); n != 2000 {
		t.Errorf("after the old buckets refilled: %d buckets; want the 2000 new ones", n)
	}
	// A flood of distinct keys within the refill time is capped.
	small := newBuckets(50, 100, 3200, c.now)
	for i := range 100_000 {
		small.take(fmt.Sprint("flood", i))
	}
	if n := small.size(); n > 3200 || n < 3000 {
		t.Errorf("%d buckets after a flood of keys; want at most MaxKeys 3200", n)
	}
	if d := small.take("flood99999"); !d.allowed || d.remaining != 98 {
		t.Errorf("the latest key lost its bucket: %+v", d)
	}
}

func TestClientKey(t *testing.T) {
	proxy := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, tc := range []struct {
		name, remote, xff string
		trusted           []netip.Prefix
		want              string
	}{
		{"peer", "203.0.113.7:5555", "", nil, "203.0.113.7"},
		{"X-Forwarded-For ignored by default", "203.0.113.7:5555", "198.51.100.1", nil, "203.0.113.7"},
		{"trusted proxy", "10.1.2.3:5555", "198.51.100.1", proxy, "198.51.100.1"},
		{"the client cannot choose its address", "10.1.2.3:5555", "1.1.1.1, 198.51.100.1", proxy, "198.51.100.1"},
		{"through two trusted proxies", "10.1.2.3:5555", "198.51.100.1, 10.9.9.9", proxy, "198.51.100.1"},
		{"untrusted peer with the header", "203.0.113.7:5555", "198.51.100.1", proxy, "203.0.113.7"},
		{"garbage header", "10.1.2.3:5555", "nonsense", proxy, "10.1.2.3"},
		{"IPv6 by /64", "[2001:db8:1:2:3:4:5:6]:443", "", nil, "2001:db8:1:2::/64"},
		{"IPv4-mapped", "[::ffff:192.0.2.1]:443", "", nil, "192.0.2.1"},
	} {
		r, _ := http.NewRequest(http.MethodPost, "/graphql", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := clientKey(r, tc.trusted); got != tc.want {
			t.Errorf("%s: %s; want %s", tc.name, got, tc.want)
		}
	}
}
