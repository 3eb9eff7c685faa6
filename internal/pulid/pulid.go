// Package pulid implements prefixed, time-ordered identifiers (prefixed ULIDs):
// opaque strings such as "con_01JD3V4KQ5W2X7Y8Z9A0B1C2D3" that are safe to show
// to partners, never sequential, sortable by creation time, and whose prefix
// names the type of the record they identify.
package pulid

import (
	"crypto/rand"
	"database/sql/driver"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// ID is a prefixed ULID: a short type prefix, an underscore and a ULID.
type ID string

var (
	entropyMu sync.Mutex
	entropy   = ulid.Monotonic(rand.Reader, 0)
)

// New returns a new ID with the given prefix for the current time.
func New(prefix string) ID {
	return NewAt(prefix, time.Now())
}

// NewAt returns a new ID with the given prefix whose time component is t.
func NewAt(prefix string, t time.Time) ID {
	entropyMu.Lock()
	u := ulid.MustNew(ulid.Timestamp(t), entropy)
	entropyMu.Unlock()
	return ID(prefix + "_" + u.String())
}

// Prefix returns the type prefix of the ID ("con" for "con_01J…"), or "" when
// the ID has no prefix.
func (id ID) Prefix() string {
	i := strings.IndexByte(string(id), '_')
	if i <= 0 {
		return ""
	}
	return string(id[:i])
}

// Valid reports whether the ID has a prefix followed by a well-formed ULID.
func (id ID) Valid() bool {
	p := id.Prefix()
	if p == "" {
		return false
	}
	_, err := ulid.ParseStrict(string(id[len(p)+1:]))
	return err == nil
}

// String returns the ID as a string.
func (id ID) String() string { return string(id) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (id *ID) UnmarshalGQL(v any) error {
	switch v := v.(type) {
	case string:
		*id = ID(v)
	case ID:
		*id = v
	default:
		return fmt.Errorf("an ID must be a string")
	}
	return nil
}

// MarshalGQL implements graphql.Marshaler.
func (id ID) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(id)))
}

// Scan implements sql.Scanner.
func (id *ID) Scan(src any) error {
	switch src := src.(type) {
	case string:
		*id = ID(src)
	case []byte:
		*id = ID(src)
	case nil:
		return fmt.Errorf("pulid: expected a value")
	default:
		return fmt.Errorf("pulid: unexpected type %T", src)
	}
	return nil
}

// Value implements driver.Valuer.
func (id ID) Value() (driver.Value, error) {
	return string(id), nil
}
