package sqljson

import (
	"crypto/sha256"
	"encoding/json"
	"sync"

	"github.com/99designs/gqlgen/graphql"
)

// maxPlans bounds the plans kept; beyond it the cache starts over.
const maxPlans = 1024

// planCache keeps the plans of the request shapes seen lately: working
// out a plan (reading the arguments, collecting the selections, writing the
// SQL) costs more than reading its rows.
type planCache struct {
	mu    sync.Mutex
	plans map[[sha256.Size]byte]*plan
}

// planKey identifies what a plan depends on: the document, the operation,
// the root field, the variables and the caller's organization and record
// limit. It reports false when the variables cannot be keyed.
func planKey(oc *graphql.OperationContext, alias, org, owner string) ([sha256.Size]byte, bool) {
	vars, err := json.Marshal(oc.Variables) // map keys in sorted order
	if err != nil {
		return [sha256.Size]byte{}, false
	}
	h := sha256.New()
	for _, part := range []string{oc.RawQuery, oc.OperationName, alias, org, owner} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(vars)
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key, true
}

func (c *planCache) get(key [sha256.Size]byte, keyed bool) *plan {
	if !keyed {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.plans[key]
}

func (c *planCache) put(key [sha256.Size]byte, keyed bool, p *plan) {
	if !keyed {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.plans) >= maxPlans {
		clear(c.plans)
	}
	c.plans[key] = p
}
