package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
)

// Partner API token format: APITokenPrefix, APITokenRandomLength base62
// characters from crypto/rand (about 178 bits), then APITokenChecksumLength
// base62 characters encoding the CRC-32 (IEEE) of the random part, left
// padded with '0'. The checksum lets a mistyped or truncated token be
// refused without a database lookup; it adds no secrecy.
const (
	APITokenPrefix         = "crm_"
	APITokenRandomLength   = 30
	APITokenChecksumLength = 6
	// APITokenLength is the length of a whole API token.
	APITokenLength = len(APITokenPrefix) + APITokenRandomLength + APITokenChecksumLength
	// APITokenDisplayLength is how many leading characters of a token are
	// kept in clear for listings ("crm_AbCdEfGh").
	APITokenDisplayLength = 12
)

// Refresh token format: RefreshTokenPrefix then RefreshTokenRandomLength
// base62 characters from crypto/rand (about 256 bits). Refresh tokens carry
// no checksum; they are checked by hash lookup only.
const (
	RefreshTokenPrefix       = "crmr_"
	RefreshTokenRandomLength = 43
)

// ErrMalformedAPIToken is matched (errors.Is) by every error of
// CheckAPITokenFormat.
var ErrMalformedAPIToken = errors.New("auth: malformed API token")

const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomBase62 returns n characters drawn uniformly from base62Alphabet.
func randomBase62(n int) (string, error) {
	// Bytes >= 248 (4*62) are dropped so every character is equally likely.
	const limit = 256 - 256%len(base62Alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("auth: reading random bytes: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, base62Alphabet[int(b)%len(base62Alphabet)])
			}
		}
	}
	return string(out), nil
}

// apiTokenChecksum returns the base62, '0'-padded CRC-32 of random.
func apiTokenChecksum(random string) string {
	v := crc32.ChecksumIEEE([]byte(random))
	var out [APITokenChecksumLength]byte
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = base62Alphabet[v%62]
		v /= 62
	}
	return string(out[:])
}

// GenerateAPIToken returns a new partner API token: the plaintext to show
// the user once, its display prefix (the first APITokenDisplayLength
// characters) for listings, and its SHA-256 hash to store.
func GenerateAPIToken() (plaintext, prefix string, hash []byte, err error) {
	random, err := randomBase62(APITokenRandomLength)
	if err != nil {
		return "", "", nil, err
	}
	plaintext = APITokenPrefix + random + apiTokenChecksum(random)
	return plaintext, plaintext[:APITokenDisplayLength], HashSecret(plaintext), nil
}

// CheckAPITokenFormat reports, without any lookup, whether s is shaped like
// a token from GenerateAPIToken: prefix, length, characters and checksum.
// Errors match ErrMalformedAPIToken and never echo the token.
func CheckAPITokenFormat(s string) error {
	if !strings.HasPrefix(s, APITokenPrefix) {
		return fmt.Errorf("%w: missing %q prefix", ErrMalformedAPIToken, APITokenPrefix)
	}
	if len(s) != APITokenLength {
		return fmt.Errorf("%w: wrong length", ErrMalformedAPIToken)
	}
	body := s[len(APITokenPrefix):]
	for i := 0; i < len(body); i++ {
		if strings.IndexByte(base62Alphabet, body[i]) < 0 {
			return fmt.Errorf("%w: invalid character", ErrMalformedAPIToken)
		}
	}
	random, sum := body[:APITokenRandomLength], body[APITokenRandomLength:]
	if apiTokenChecksum(random) != sum {
		return fmt.Errorf("%w: checksum mismatch", ErrMalformedAPIToken)
	}
	return nil
}

// LooksLikeAPIToken reports whether a bearer credential is meant as a
// partner API token (it has the APITokenPrefix) rather than a user JWT. It
// does not check the format; use CheckAPITokenFormat for that.
func LooksLikeAPIToken(s string) bool {
	return strings.HasPrefix(s, APITokenPrefix)
}

// HashSecret returns the SHA-256 digest under which a token secret (API or
// refresh token) is stored and looked up.
func HashSecret(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// GenerateRefreshToken returns a new opaque refresh token and the SHA-256
// hash to store for it.
func GenerateRefreshToken() (plaintext string, hash []byte, err error) {
	random, err := randomBase62(RefreshTokenRandomLength)
	if err != nil {
		return "", nil, err
	}
	plaintext = RefreshTokenPrefix + random
	return plaintext, HashSecret(plaintext), nil
}
