package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// SecretPrefix starts every endpoint secret, as in the Standard Webhooks
// scheme.
const SecretPrefix = "whsec_"

// secretBytes is the length of a new secret's key.
const secretBytes = 32

// DefaultTolerance is how far a request's webhook-timestamp may be from the
// receiver's clock when Verify is given no tolerance.
const DefaultTolerance = 5 * time.Minute

// The headers of a signed request.
const (
	// HeaderID carries the message ID: the event ID, the same on every
	// attempt.
	HeaderID = "webhook-id"
	// HeaderTimestamp carries the Unix time of the attempt, in seconds.
	HeaderTimestamp = "webhook-timestamp"
	// HeaderSignature carries the space-separated "v1,…" signatures.
	HeaderSignature = "webhook-signature"
)

// The errors Verify returns.
var (
	// ErrMissingHeaders means the request lacks webhook-id,
	// webhook-timestamp or webhook-signature.
	ErrMissingHeaders = errors.New("webhook: missing webhook-id, webhook-timestamp or webhook-signature header")
	// ErrTimestamp means webhook-timestamp is malformed or too far from now.
	ErrTimestamp = errors.New("webhook: timestamp is invalid or outside the tolerance")
	// ErrSignature means no signature in webhook-signature matches.
	ErrSignature = errors.New("webhook: no matching signature")
	// ErrSecret means the secret is not "whsec_" followed by base64.
	ErrSecret = errors.New("webhook: malformed secret")
)

// NewSecret returns a new signing secret: "whsec_" and the standard base64
// of 32 random bytes.
func NewSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook: generating a secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// key returns the HMAC key of a secret: the base64-decoded part after
// "whsec_" (a secret without the prefix is accepted too, as the scheme's
// libraries do).
func key(secret string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(k) == 0 {
		return nil, ErrSecret
	}
	return k, nil
}

// Sign returns the Standard Webhooks signature of a message: "v1," and the
// base64 HMAC-SHA256, keyed by the secret, of msgID, ".", the Unix seconds
// of ts, ".", and the body.
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	k, err := key(secret)
	if err != nil {
		return "", err
	}
	return "v1," + base64.StdEncoding.EncodeToString(mac(k, msgID, ts.Unix(), body)), nil
}

func mac(k []byte, msgID string, unix int64, body []byte) []byte {
	h := hmac.New(sha256.New, k)
	h.Write([]byte(msgID))
	h.Write([]byte{'.'})
	h.Write([]byte(strconv.FormatInt(unix, 10)))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a received request as a receiver should: the headers
// webhook-id, webhook-timestamp and webhook-signature must be present, the
// timestamp within tolerance of the current time (DefaultTolerance when
// tolerance is 0), and one of the space-separated "v1,…" signatures must
// be the body's signature under secret. It returns nil when the request is
// authentic, or ErrMissingHeaders, ErrTimestamp, ErrSignature or ErrSecret.
func Verify(secret string, header http.Header, body []byte, tolerance time.Duration) error {
	return verifyAt(secret, header, body, tolerance, time.Now())
}

func verifyAt(secret string, header http.Header, body []byte, tolerance time.Duration, now time.Time) error {
	k, err := key(secret)
	if err != nil {
		return err
	}
	id, ts, sigs := header.Get(HeaderID), header.Get(HeaderTimestamp), header.Get(HeaderSignature)
	if id == "" || ts == "" || sigs == "" {
		return ErrMissingHeaders
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrTimestamp
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return ErrTimestamp
	}
	want := mac(k, id, unix, body)
	for _, s := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrSignature
}

// signatures returns the webhook-signature header of a message: the
// signature under secret, then, when previous is not empty, the signature
// under previous, separated by a space.
func signatures(secret, previous, msgID string, ts time.Time, body []byte) (string, error) {
	sig, err := Sign(secret, msgID, ts, body)
	if err != nil {
		return "", err
	}
	if previous == "" {
		return sig, nil
	}
	old, err := Sign(previous, msgID, ts, body)
	if err != nil {
		return "", err
	}
	return sig + " " + old, nil
}
