package identity

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/headlesscrm/crm/internal/errs"
)

// The login throttle. Per account: after FailuresBeforeLock wrong
// passwords in a row the account refuses logins for LockBase, doubling with
// each further failure up to LockMax; a successful login resets it. Per
// client address: IPFailureBurst wrong logins, then one more every
// IPFailureEvery — which also covers guessing across many accounts.
const (
	FailuresBeforeLock = 5
	LockBase           = 30 * time.Second
	LockMax            = 15 * time.Minute
	IPFailureBurst     = 20
	IPFailureEvery     = 30 * time.Second
)

// lockFor is how long an account refuses logins after its nth failure in a
// row; zero below the threshold.
func lockFor(failures int) time.Duration {
	if failures < FailuresBeforeLock {
		return 0
	}
	d := time.Duration(float64(LockBase) * math.Pow(2, float64(failures-FailuresBeforeLock)))
	return min(d, LockMax)
}

func errLocked(wait time.Duration) error {
	return errs.New(errs.RateLimited, "too many failed logins: try again in %d seconds", max(1, int(math.Ceil(wait.Seconds()))))
}

type clientIPKey struct{}

// WithClientIP returns a context that carries the address of the client,
// for the per-address login throttle.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

func clientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}

// addressThrottle counts failed logins per client address.
type addressThrottle struct {
	mu    sync.Mutex
	m     map[string]*rate.Limiter
	swept time.Time
}

// maxAddresses bounds the memory the throttle holds; beyond it, addresses
// whose allowance has refilled are forgotten first.
const maxAddresses = 100_000

func (a *addressThrottle) limiter(ip string, now time.Time) *rate.Limiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[string]*rate.Limiter{}
	}
	if len(a.m) >= maxAddresses || now.Sub(a.swept) > 10*time.Minute {
		a.swept = now
		for k, l := range a.m {
			if l.TokensAt(now) >= IPFailureBurst {
				delete(a.m, k)
			}
		}
	}
	l, ok := a.m[ip]
	if !ok {
		l = rate.NewLimiter(rate.Every(IPFailureEvery), IPFailureBurst)
		a.m[ip] = l
	}
	return l
}

// check refuses a login from an address that has used up its failures.
func (a *addressThrottle) check(ctx context.Context, now time.Time) error {
	ip := clientIP(ctx)
	if ip == "" {
		return nil
	}
	l := a.limiter(ip, now)
	if tokens := l.TokensAt(now); tokens < 1 {
		wait := time.Duration((1 - tokens) * float64(IPFailureEvery))
		return errs.New(errs.RateLimited, "too many failed logins from this address: try again in %d seconds", max(1, int(math.Ceil(wait.Seconds()))))
	}
	return nil
}

// failed records a failed login from the context's address.
func (a *addressThrottle) failed(ctx context.Context, now time.Time) {
	if ip := clientIP(ctx); ip != "" {
		a.limiter(ip, now).AllowN(now, 1)
	}
}

// unknownAccounts counts failed logins for emails that match no account,
// so that they lock exactly like real accounts: the answers never tell
// whether an account exists.
type unknownAccounts struct {
	mu sync.Mutex
	m  map[string]unknownAccount
}

type unknownAccount struct {
	failures int
	until    time.Time
}

// check refuses a login for an unknown email that is "locked".
func (u *unknownAccounts) check(email string, now time.Time) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if a, ok := u.m[email]; ok && now.Before(a.until) {
		return errLocked(a.until.Sub(now))
	}
	return nil
}

// failed counts a failed login for an unknown email and returns the error
// a real account would give.
func (u *unknownAccounts) failed(email string, now time.Time) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.m == nil || len(u.m) >= maxAddresses {
		u.m = map[string]unknownAccount{}
	}
	a := u.m[email]
	a.failures++
	lock := lockFor(a.failures)
	a.until = now.Add(lock)
	u.m[email] = a
	if lock > 0 {
		return errLocked(lock)
	}
	return errBadLogin
}
