package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password length limits, in characters (Unicode code points).
const (
	MinPasswordLength = 10
	MaxPasswordLength = 256
)

// Password policy errors returned by ValidatePassword; their messages are
// fit to show to the user.
var (
	ErrPasswordTooShort = fmt.Errorf("password must be at least %d characters long", MinPasswordLength)
	ErrPasswordTooLong  = fmt.Errorf("password must be at most %d characters long", MaxPasswordLength)
	ErrPasswordBlank    = errors.New("password must not consist only of whitespace")
)

// ErrMalformedHash is matched (errors.Is) by the error VerifyPassword
// returns when the stored hash is not a PHC argon2id string it accepts.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// argon2Params is one argon2id cost setting.
type argon2Params struct {
	memory  uint32 // KiB
	time    uint32 // passes
	threads uint8
	saltLen int
	keyLen  uint32
}

// passwordParams is the cost used by HashPassword: OWASP's argon2id
// recommendation (19 MiB, 2 passes, 1 lane), about 20-40 ms per hash on a
// small server. Tests swap in a cheaper setting.
var passwordParams = argon2Params{memory: 19 * 1024, time: 2, threads: 1, saltLen: 16, keyLen: 32}

// Bounds on the parameters VerifyPassword accepts from a stored hash, so a
// corrupted or planted hash cannot make verification exhaust the server.
const (
	maxHashMemory  = 256 * 1024 // KiB
	maxHashTime    = 16
	maxHashThreads = 16
	minSaltLen     = 8
	maxSaltLen     = 64
	minKeyLen      = 16
	maxKeyLen      = 128
)

var b64 = base64.RawStdEncoding

// HashPassword returns pw hashed with argon2id and a fresh random salt, in
// the PHC string format "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>".
// It does not apply the password policy; call ValidatePassword first.
func HashPassword(pw string) (string, error) {
	p := passwordParams
	salt := make([]byte, p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: reading salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.time, p.memory, p.threads, p.keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the hash encoded by
// HashPassword, using the cost parameters stored in the hash. A wrong
// password yields (false, nil); an unreadable hash yields an error
// matching ErrMalformedHash.
func VerifyPassword(encoded, pw string) (bool, error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.time, p.memory, p.threads, p.keyLen)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// decodeHash parses a PHC argon2id string and checks its parameters are
// within the accepted bounds.
func decodeHash(encoded string) (argon2Params, []byte, []byte, error) {
	var p argon2Params
	fail := func(why string) (argon2Params, []byte, []byte, error) {
		return p, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, why)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return fail("want $argon2id$v=..$m=..,t=..,p=..$salt$hash")
	}
	if parts[1] != "argon2id" {
		return fail("unsupported algorithm")
	}
	var version int
	if n, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || n != 1 || parts[2] != fmt.Sprintf("v=%d", version) {
		return fail("bad version field")
	}
	if version != argon2.Version {
		return fail("unsupported argon2 version")
	}
	var m, t, th uint64
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th); err != nil || n != 3 ||
		parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", m, t, th) {
		return fail("bad parameter field")
	}
	if th < 1 || th > maxHashThreads || t < 1 || t > maxHashTime || m < 8*th || m > maxHashMemory {
		return fail("parameters out of range")
	}
	salt, err := b64.Strict().DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return fail("bad salt")
	}
	key, err := b64.Strict().DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return fail("bad hash")
	}
	p = argon2Params{memory: uint32(m), time: uint32(t), threads: uint8(th), saltLen: len(salt), keyLen: uint32(len(key))}
	return p, salt, key, nil
}

// ValidatePassword checks pw against the password policy: between
// MinPasswordLength and MaxPasswordLength characters and not only
// whitespace. The error, if any, is one of ErrPasswordTooShort,
// ErrPasswordTooLong or ErrPasswordBlank.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return ErrPasswordTooShort
	case n > MaxPasswordLength:
		return ErrPasswordTooLong
	case strings.TrimFunc(pw, unicode.IsSpace) == "":
		return ErrPasswordBlank
	}
	return nil
}
