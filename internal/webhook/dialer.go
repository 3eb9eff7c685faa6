package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/headlesscrm/crm/internal/errs"
)

// DefaultTimeout bounds one delivery attempt, connection to last byte read,
// when ClientOptions.Timeout is 0.
const DefaultTimeout = 10 * time.Second

// maxResponse is how much of a response body is read (then discarded).
const maxResponse = 64 << 10

// lookupTimeout bounds CheckURL's name resolution.
const lookupTimeout = 3 * time.Second

// ErrRefusedAddress is wrapped by the errors of connections refused because
// the address is not a public unicast address.
var ErrRefusedAddress = errors.New("private, loopback or link-local address")

// Resolver resolves host names to addresses; *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// ClientOptions configures the webhook HTTP client and URL checks.
type ClientOptions struct {
	// AllowLoopback permits 127.0.0.0/8 and ::1 (and the host names
	// localhost, *.localhost, *.local and *.internal when they resolve to
	// loopback), for development (--dev). Private and link-local addresses
	// stay refused.
	AllowLoopback bool
	// Timeout bounds one request, connection to response; DefaultTimeout
	// when 0.
	Timeout time.Duration
	// Resolver, when set, resolves host names instead of the system
	// resolver, both in CheckURL and when connecting. Tests use it; nil in
	// production.
	Resolver Resolver
}

func (o ClientOptions) timeout() time.Duration {
	if o.Timeout <= 0 {
		return DefaultTimeout
	}
	return o.Timeout
}

func (o ClientOptions) resolver() Resolver {
	if o.Resolver == nil {
		return net.DefaultResolver
	}
	return o.Resolver
}

// NewClient returns an HTTP client for posting webhooks that refuses to
// connect to any address that is not public unicast (see Allowed): the
// check runs on the address actually being connected to, after name
// resolution, so DNS rebinding cannot get around it. It uses no proxy,
// follows no redirects (a 3xx response is returned as is), and times out
// after opts.Timeout.
func NewClient(opts ClientOptions) *http.Client {
	d := &dialer{
		net: &net.Dialer{
			Timeout:   opts.timeout(),
			KeepAlive: 30 * time.Second,
			Control:   control(opts.AllowLoopback),
		},
		resolver: opts.Resolver,
	}
	t := &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    opts.timeout(),
		ResponseHeaderTimeout:  opts.timeout(),
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{
		Transport: t,
		Timeout:   opts.timeout(),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// dialer connects through net.Dialer, whose Control refuses disallowed
// addresses; with a custom resolver it resolves names itself first.
type dialer struct {
	net      *net.Dialer
	resolver Resolver
}

// DialContext implements http.Transport.DialContext.
func (d *dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if d.resolver == nil {
		return d.net.DialContext(ctx, network, address)
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return d.net.DialContext(ctx, network, address)
	}
	addrs, err := d.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("webhook: no address for %s", host)
	}
	var first error
	for _, a := range addrs {
		c, err := d.net.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// control returns a net.Dialer Control function refusing disallowed
// addresses.
func control(allowLoopback bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		if !strings.HasPrefix(network, "tcp") {
			return fmt.Errorf("webhook: refusing %s connection", network)
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("webhook: refusing unparsable address %q", address)
		}
		if !Allowed(ap.Addr(), allowLoopback) {
			return fmt.Errorf("webhook: refusing to connect to %s: %w", ap.Addr(), ErrRefusedAddress)
		}
		return nil
	}
}

// refusedV4 lists the IPv4 ranges that are not public unicast: this network,
// private, CGNAT, loopback, link-local (and cloud metadata), IETF protocol
// assignments, documentation, benchmarking, multicast, reserved and
// broadcast.
var refusedV4 = prefixes(
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
	"172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
	"198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
)

// refusedV6 lists the IPv6 ranges that are not public unicast: the
// IPv4-compatible block (with :: and ::1), IPv4-translated (SIIT),
// local-use NAT64, discard-only,
// Teredo, documentation, unique local (with AWS's fd00:ec2::254), site-local,
// link-local and multicast.
var refusedV6 = prefixes(
	"::/96", "::ffff:0:0:0/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32",
	"fc00::/7", "fec0::/10", "fe80::/10", "ff00::/8",
)

// Ranges of IPv6 that embed an IPv4 address, judged by that address.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
	loopV4    = netip.MustParsePrefix("127.0.0.0/8")
)

func prefixes(ss ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}

// Allowed reports whether webhooks may connect to a: only public unicast
// addresses pass. IPv4-mapped IPv6 addresses, NAT64 (64:ff9b::/96) and
// 6to4 (2002::/16) addresses are judged by the IPv4 address they embed.
// With allowLoopback, 127.0.0.0/8 and ::1 pass too.
func Allowed(a netip.Addr, allowLoopback bool) bool {
	a = a.WithZone("").Unmap()
	if !a.IsValid() {
		return false
	}
	if a.Is6() {
		switch {
		case nat64.Contains(a):
			b := a.As16()
			return Allowed(netip.AddrFrom4([4]byte(b[12:16])), allowLoopback)
		case sixToFour.Contains(a):
			b := a.As16()
			return Allowed(netip.AddrFrom4([4]byte(b[2:6])), allowLoopback)
		case a == netip.IPv6Loopback():
			return allowLoopback
		}
		return !inAny(a, refusedV6) && a.IsGlobalUnicast()
	}
	if loopV4.Contains(a) {
		return allowLoopback
	}
	return !inAny(a, refusedV4) && a.IsGlobalUnicast()
}

func inAny(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func isLoopback(a netip.Addr) bool { return a.WithZone("").Unmap().IsLoopback() }

// msgRefused is the message of CheckURL's refusal of a non-public address.
const msgRefused = "url must not point to a private, loopback or link-local address"

// CheckURL checks an endpoint URL when it is saved: the scheme must be
// http or https, the host present, with no user name or password; an IP
// host must be allowed (see Allowed), and a host name must resolve, every
// address allowed. The names localhost, *.localhost, *.local and
// *.internal are refused unless opts.AllowLoopback, and then must resolve
// to loopback. Errors are BAD_USER_INPUT on the field "url". The HTTP
// client checks the address again on every connection.
func CheckURL(ctx context.Context, raw string, opts ClientOptions) error {
	if strings.TrimSpace(raw) == "" {
		return errs.Input("url", "url is required")
	}
	if len(raw) > 2048 {
		return errs.Input("url", "url must be at most 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errs.Input("url", "url is not a valid URL")
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return errs.Input("url", "url must start with http:// or https://")
	}
	if u.User != nil {
		return errs.Input("url", "url must not contain a user name or password")
	}
	host := u.Hostname()
	if host == "" {
		return errs.Input("url", "url must have a host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return errs.Input("url", "url has an invalid port")
		}
	}
	if strings.Contains(host, "%") {
		return errs.Input("url", "url must not contain an IPv6 zone")
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if !Allowed(a, opts.AllowLoopback) {
			return errs.Input("url", msgRefused)
		}
		return nil
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if numericHost(name) {
		return errs.Input("url", "url host is neither a valid IP address nor a host name")
	}
	local := name == "localhost" || strings.HasSuffix(name, ".localhost") ||
		strings.HasSuffix(name, ".local") || strings.HasSuffix(name, ".internal")
	if local && !opts.AllowLoopback {
		return errs.Input("url", "url must not point to a local or internal host name")
	}
	lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	addrs, err := opts.resolver().LookupNetIP(lctx, "ip", name)
	if err != nil || len(addrs) == 0 {
		return errs.Input("url", "url host %q cannot be resolved", host)
	}
	for _, a := range addrs {
		if !Allowed(a, opts.AllowLoopback) || (local && !isLoopback(a)) {
			return errs.Input("url", msgRefused)
		}
	}
	return nil
}

// numericHost reports whether a host that is not a valid IP address looks
// like one in a legacy form ("2130706433", "127.1", "0x7f.1"): its last
// label is a number, which no top-level domain is. Some resolvers turn
// such names into addresses.
func numericHost(name string) bool {
	last := name[strings.LastIndexByte(name, '.')+1:]
	if last == "" {
		return true
	}
	if strings.HasPrefix(last, "0x") {
		last = last[2:]
		for _, r := range last {
			if !strings.ContainsRune("0123456789abcdef", r) {
				return false
			}
		}
		return true
	}
	for _, r := range last {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
