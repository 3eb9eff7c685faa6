package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/headlesscrm/crm/internal/errs"
)

// fakeResolver resolves names from a map; others do not exist.
type fakeResolver map[string][]string

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	ss, ok := r[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	as := make([]netip.Addr, len(ss))
	for i, s := range ss {
		as[i] = netip.MustParseAddr(s)
	}
	return as, nil
}

var testResolver = fakeResolver{
	"hooks.example":                     {"93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"},
	"evil.example":                      {"10.0.0.1"},
	"mixed.example":                     {"93.184.216.34", "192.168.1.10"},
	"metadata.example":                  {"169.254.169.254"},
	"mapped.example":                    {"::ffff:127.0.0.1"},
	"localhost":                         {"127.0.0.1", "::1"},
	"app.localhost":                     {"127.0.0.1"},
	"lan.local":                         {"192.168.1.20"},
	"metadata.google.internal":          {"169.254.169.254"},
	"public-but-internal-name.internal": {"93.184.216.34"},
}

func TestAllowed(t *testing.T) {
	tests := []struct {
		addr     string
		want     bool // without loopback
		loopback bool // with AllowLoopback
	}{
		{"93.184.216.34", true, true},
		{"8.8.8.8", true, true},
		{"2606:2800:220:1:248:1893:25c8:1946", true, true},
		{"127.0.0.1", false, true},
		{"127.255.0.9", false, true},
		{"::1", false, true},
		{"::ffff:127.0.0.1", false, true},
		{"10.1.2.3", false, false},
		{"172.16.0.1", false, false},
		{"172.31.255.255", false, false},
		{"172.32.0.1", true, true},
		{"192.168.0.1", false, false},
		{"169.254.169.254", false, false},
		{"100.64.0.1", false, false},
		{"100.127.255.255", false, false},
		{"0.0.0.0", false, false},
		{"0.1.2.3", false, false},
		{"224.0.0.1", false, false},
		{"239.255.255.250", false, false},
		{"255.255.255.255", false, false},
		{"240.0.0.1", false, false},
		{"192.0.2.1", false, false},
		{"198.18.0.1", false, false},
		{"::", false, false},
		{"::ffff:10.0.0.1", false, false},
		{"::ffff:169.254.169.254", false, false},
		{"::ffff:93.184.216.34", true, true},
		{"::10.0.0.1", false, false},
		{"::ffff:0:a00:1", false, false},     // IPv4-translated 10.0.0.1
		{"64:ff9b::a00:1", false, false},     // NAT64 of 10.0.0.1
		{"64:ff9b::7f00:1", false, true},     // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", false, false}, // NAT64 of 169.254.169.254
		{"64:ff9b::5db8:d822", true, true},   // NAT64 of 93.184.216.34
		{"64:ff9b:1::a00:1", false, false},
		{"2002:a00:1::1", false, false},   // 6to4 of 10.0.0.1
		{"2002:5db8:d822::1", true, true}, // 6to4 of 93.184.216.34
		{"fc00::1", false, false},
		{"fd00:ec2::254", false, false},
		{"fe80::1", false, false},
		{"fe80::1%eth0", false, false},
		{"fec0::1", false, false},
		{"ff02::1", false, false},
		{"2001:db8::1", false, false},
		{"2001::1", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			a := netip.MustParseAddr(tt.addr)
			if got := Allowed(a, false); got != tt.want {
				t.Errorf("Allowed(%s, false) = %v, want %v", tt.addr, got, tt.want)
			}
			if got := Allowed(a, true); got != tt.loopback {
				t.Errorf("Allowed(%s, true) = %v, want %v", tt.addr, got, tt.loopback)
			}
		})
	}
}

func TestCheckURL(t *testing.T) {
	prod := ClientOptions{Resolver: testResolver}
	dev := ClientOptions{Resolver: testResolver, AllowLoopback: true}
	tests := []struct {
		url  string
		opts ClientOptions
		want string // "" when accepted, else a part of the message
	}{
		{"https://hooks.example/crm", prod, ""},
		{"http://hooks.example:8080/crm?x=1", prod, ""},
		{"HTTPS://HOOKS.EXAMPLE./crm", prod, ""},
		{"https://93.184.216.34/", prod, ""},
		{"https://[2606:2800:220:1:248:1893:25c8:1946]:8443/", prod, ""},
		{"http://[64:ff9b::5db8:d822]/", prod, ""},
		{"http://127.0.0.1", prod, "private, loopback or link-local"},
		{"http://127.0.0.1:9000/hook", prod, "private, loopback or link-local"},
		{"http://169.254.169.254/latest/meta-data/", prod, "private, loopback or link-local"},
		{"http://[::ffff:10.0.0.1]/", prod, "private, loopback or link-local"},
		{"http://[::ffff:127.0.0.1]/", prod, "private, loopback or link-local"},
		{"http://[::1]/", prod, "private, loopback or link-local"},
		{"http://[fd00:ec2::254]/", prod, "private, loopback or link-local"},
		{"http://[64:ff9b::a00:1]/", prod, "private, loopback or link-local"},
		{"http://10.1.2.3:8080", prod, "private, loopback or link-local"},
		{"http://100.64.0.1", prod, "private, loopback or link-local"},
		{"http://0.0.0.0", prod, "private, loopback or link-local"},
		{"http://255.255.255.255", prod, "private, loopback or link-local"},
		{"http://evil.example/hook", prod, "private, loopback or link-local"},
		{"http://mixed.example/hook", prod, "private, loopback or link-local"},
		{"http://metadata.example/", prod, "private, loopback or link-local"},
		{"http://mapped.example/", prod, "private, loopback or link-local"},
		{"http://localhost", prod, "local or internal host name"},
		{"http://localhost.:3000", prod, "local or internal host name"},
		{"http://app.localhost", prod, "local or internal host name"},
		{"http://lan.local", prod, "local or internal host name"},
		{"http://metadata.google.internal/", prod, "local or internal host name"},
		{"http://2130706433/", prod, "neither a valid IP address"},
		{"http://127.1/", prod, "neither a valid IP address"},
		{"http://0x7f.0x1/", prod, "neither a valid IP address"},
		{"http://nowhere.example/", prod, "cannot be resolved"},
		{"ftp://hooks.example/", prod, "http:// or https://"},
		{"file:///etc/passwd", prod, "http:// or https://"},
		{"javascript:alert(1)", prod, "http:// or https://"},
		{"https://user:pass@hooks.example/", prod, "user name or password"},
		{"https://user@hooks.example/", prod, "user name or password"},
		{"https:///path", prod, "must have a host"},
		{"https://hooks.example:0/", prod, "invalid port"},
		{"https://hooks.example:70000/", prod, "invalid port"},
		{"http://[fe80::1%25eth0]/", prod, "IPv6 zone"},
		{"", prod, "required"},
		{"not a url", prod, "http:// or https://"},
		{"https://hooks.example/" + strings.Repeat("a", 2048), prod, "at most 2048"},
		// --dev: loopback only.
		{"http://127.0.0.1:9000/hook", dev, ""},
		{"http://[::1]:9000/hook", dev, ""},
		{"http://localhost:3000/hook", dev, ""},
		{"http://app.localhost/hook", dev, ""},
		{"http://10.1.2.3:8080", dev, "private, loopback or link-local"},
		{"http://169.254.169.254/", dev, "private, loopback or link-local"},
		{"http://lan.local/", dev, "private, loopback or link-local"},
		{"http://public-but-internal-name.internal/", dev, "private, loopback or link-local"},
	}
	for _, tt := range tests {
		name := tt.url
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(fmt.Sprintf("%s/loopback=%v", name, tt.opts.AllowLoopback), func(t *testing.T) {
			err := CheckURL(context.Background(), tt.url, tt.opts)
			if tt.want == "" {
				if err != nil {
					t.Errorf("CheckURL(%q) = %v, want nil", tt.url, err)
				}
				return
			}
			var e *errs.Error
			if !errors.As(err, &e) || e.Code != errs.BadUserInput || e.Field != "url" {
				t.Fatalf("CheckURL(%q) = %#v, want a BAD_USER_INPUT error on url", tt.url, err)
			}
			if !strings.Contains(e.Message, tt.want) {
				t.Errorf("CheckURL(%q) = %q, want it to mention %q", tt.url, e.Message, tt.want)
			}
		})
	}
}

// TestCheckURLSystemResolver resolves through the system resolver:
// localhost is refused in production and accepted in development.
func TestCheckURLSystemResolver(t *testing.T) {
	if err := CheckURL(context.Background(), "http://localhost:8080/", ClientOptions{}); err == nil {
		t.Error("http://localhost accepted without AllowLoopback")
	}
	if _, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", "localhost"); err != nil {
		t.Skip("localhost does not resolve here:", err)
	}
	if err := CheckURL(context.Background(), "http://localhost:8080/", ClientOptions{AllowLoopback: true}); err != nil {
		t.Errorf("http://localhost refused with AllowLoopback: %v", err)
	}
}

// TestClientChecksAddressesWhenDialing posts to a server on 127.0.0.1: the
// production client refuses at connection time, whatever the URL said,
// including a host name that resolves to loopback only when connecting
// (DNS rebinding); the development client connects.
func TestClientChecksAddressesWhenDialing(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	rebound := "http://rebind.example:" + u.Port() + "/"
	// CheckURL saw a public address; the connection would go to loopback.
	if err := CheckURL(context.Background(), rebound, ClientOptions{Resolver: fakeResolver{"rebind.example": {"93.184.216.34"}}}); err != nil {
		t.Fatalf("CheckURL at save time: %v", err)
	}
	rebinding := fakeResolver{"rebind.example": {"127.0.0.1"}}
	tests := []struct {
		name    string
		opts    ClientOptions
		url     string
		refused bool
	}{
		{"literal loopback", ClientOptions{}, srv.URL, true},
		{"name rebound to loopback", ClientOptions{Resolver: rebinding}, rebound, true},
		{"literal loopback in dev", ClientOptions{AllowLoopback: true}, srv.URL, false},
		{"name rebound to loopback in dev", ClientOptions{AllowLoopback: true, Resolver: rebinding}, rebound, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := hits.Load()
			resp, err := NewClient(tt.opts).Post(tt.url, "application/json", strings.NewReader("{}"))
			if resp != nil {
				resp.Body.Close()
			}
			if tt.refused {
				if !errors.Is(err, ErrRefusedAddress) {
					t.Errorf("POST %s = %v, want ErrRefusedAddress", tt.url, err)
				}
				if hits.Load() != before {
					t.Error("the server was reached")
				}
				return
			}
			if err != nil || resp.StatusCode != http.StatusNoContent {
				t.Errorf("POST %s = %v, %v; want 204", tt.url, resp, err)
			}
		})
	}
}

// TestClientDoesNotFollowRedirects returns a 302 as the response.
func TestClientDoesNotFollowRedirects(t *testing.T) {
	followed := false
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/elsewhere", http.StatusFound) })
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) { followed = true })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	resp, err := NewClient(ClientOptions{AllowLoopback: true}).Post(srv.URL+"/hook", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || followed {
		t.Errorf("status %d, followed %v; want 302 and not followed", resp.StatusCode, followed)
	}
}
