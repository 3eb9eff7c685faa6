package identity

import (
	"context"
	"crypto/sha256"
	"slices"
	"sync"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/apitoken"
	"github.com/headlesscrm/crm/ent/organization"
	"github.com/headlesscrm/crm/ent/user"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/store"
)

// Cached credentials. A client's every request carries the same bearer
// token; reading the token, its user and its organization again for each
// request would cost statements the answer does not need. The viewer of a
// credential that checked out is therefore remembered — only while the
// instance hears of every change to credentials (WatchCredentialChanges),
// and never longer than maxCachedFor, so that a change missed in spite of
// that cannot outlive a minute.
const (
	// maxCachedFor bounds how long a checked credential is trusted without
	// reading it again; it is also how often an API token's last use is
	// recorded.
	maxCachedFor = lastUsedGranularity
	// maxCachedCredentials bounds the memory of the cache: beyond it, the
	// cache starts over.
	maxCachedCredentials = 10_000
)

// credentialCache remembers the viewers of credentials that checked out,
// by the SHA-256 of the bearer token. It only serves them while live.
// Every change to credentials empties it and moves its generation on, so
// that a check that read the database before the change cannot store what
// it read after it.
type credentialCache struct {
	mu      sync.Mutex
	live    bool
	gen     uint64
	entries map[[sha256.Size]byte]cachedViewer
}

// cachedViewer is a checked credential's viewer and when it must be
// checked again.
type cachedViewer struct {
	viewer auth.Viewer
	until  time.Time
}

func newCredentialCache() *credentialCache {
	return &credentialCache{entries: map[[sha256.Size]byte]cachedViewer{}}
}

func credentialKey(bearer string) [sha256.Size]byte { return sha256.Sum256([]byte(bearer)) }

// viewer returns a copy of the remembered viewer of a credential, if it
// may still be trusted at now.
func (c *credentialCache) viewer(key [sha256.Size]byte, now time.Time) (*auth.Viewer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !c.live || !ok || !now.Before(e.until) {
		return nil, false
	}
	v := e.viewer
	v.Scopes = slices.Clone(v.Scopes)
	return &v, true
}

// generation is the cache's generation, to pass to remember.
func (c *credentialCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// remember stores the viewer a check found, unless credentials changed
// since the check began (gen) or the cache is not live.
func (c *credentialCache) remember(key [sha256.Size]byte, gen uint64, v *auth.Viewer, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || gen != c.gen {
		return
	}
	if len(c.entries) >= maxCachedCredentials {
		clear(c.entries)
	}
	e := cachedViewer{viewer: *v, until: until}
	e.viewer.Scopes = slices.Clone(v.Scopes)
	c.entries[key] = e
}

// forget empties the cache: credentials changed.
func (c *credentialCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}

// setLive starts or stops serving from the cache, empty either way.
func (c *credentialCache) setLive(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live = live
	c.gen++
	clear(c.entries)
}

func (c *credentialCache) isLive() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.live
}

// credentialTables are the tables of the credentials' types.
var credentialTables = map[string]string{
	ent.TypeAPIToken:     apitoken.Table,
	ent.TypeUser:         user.Table,
	ent.TypeOrganization: organization.Table,
}

// forgetOnCredentialChange is an ent hook that empties the cache when this
// process changes a token, a user or an organization, so that the change
// holds on the next request here; other instances hear of it from
// PostgreSQL's triggers (package store).
func (s *Service) forgetOnCredentialChange(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		v, err := next.Mutate(ctx, m)
		if changesCredentials(m) {
			s.cache.forget()
		}
		return v, err
	})
}

// changesCredentials reports whether a mutation may change what a
// credential stands for: an update or deletion of a token, a user or an
// organization, beyond bookkeeping columns.
func changesCredentials(m ent.Mutation) bool {
	if _, ok := credentialTables[m.Type()]; !ok {
		return false
	}
	if m.Op().Is(ent.OpCreate) {
		return false
	}
	if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
		return true
	}
	bookkeeping := store.CredentialBookkeeping[credentialTables[m.Type()]]
	for _, f := range append(m.Fields(), m.ClearedFields()...) {
		if !slices.Contains(bookkeeping, f) {
			return true
		}
	}
	return false
}
