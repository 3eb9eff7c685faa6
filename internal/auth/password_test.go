package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestHashPasswordRoundTrip(t *testing.T) {
	for _, pw := range []string{"correct horse battery staple", "パスワードは十文字以上です", strings.Repeat("x", 256), ""} {
		encoded, err := HashPassword(pw)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(encoded, "$argon2id$v=19$") {
			t.Fatalf("HashPassword = %q, want PHC argon2id string", encoded)
		}
		ok, err := VerifyPassword(encoded, pw)
		if err != nil || !ok {
			t.Errorf("VerifyPassword(own hash, %q) = %v, %v; want true", pw, ok, err)
		}
		for _, wrong := range []string{pw + "x", strings.ToUpper(pw) + "!", " " + pw} {
			if ok, err := VerifyPassword(encoded, wrong); err != nil || ok {
				t.Errorf("VerifyPassword(hash of %q, %q) = %v, %v; want false, nil", pw, wrong, ok, err)
			}
		}
	}
}

func TestHashPasswordSaltsEveryHash(t *testing.T) {
	a, _ := HashPassword("same password")
	b, _ := HashPassword("same password")
	if a == b {
		t.Fatal("two hashes of the same password are equal")
	}
	saltOf := func(s string) string { return strings.Split(s, "$")[4] }
	if saltOf(a) == saltOf(b) {
		t.Fatal("two hashes share a salt")
	}
}

func TestHashPasswordUsesProductionParameters(t *testing.T) {
	saved := passwordParams
	passwordParams = argon2Params{memory: 19456, time: 2, threads: 1, saltLen: 16, keyLen: 32}
	defer func() { passwordParams = saved }()
	start := time.Now()
	encoded, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("production argon2id hash took %v", time.Since(start))
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("HashPassword = %q, want m=19456,t=2,p=1", encoded)
	}
	parts := strings.Split(encoded, "$")
	if len(parts[4]) != 22 || len(parts[5]) != 43 { // 16-byte salt, 32-byte key, unpadded base64
		t.Fatalf("salt %q / hash %q have unexpected lengths", parts[4], parts[5])
	}
	// Hashes made with other parameters keep verifying after a change.
	passwordParams = saved
	if ok, err := VerifyPassword(encoded, "correct horse battery staple"); !ok || err != nil {
		t.Fatalf("VerifyPassword after parameter change = %v, %v", ok, err)
	}
}

func TestVerifyPasswordRejectsMalformedHashes(t *testing.T) {
	good, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	p := strings.Split(good, "$") // "", argon2id, v=19, m=..., salt, hash
	join := func(parts ...string) string { return strings.Join(parts, "$") }
	tests := []struct{ name, encoded string }{
		{"empty", ""},
		{"plaintext", "correct horse battery staple"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", join("", "argon2i", p[2], p[3], p[4], p[5])},
		{"argon2d", join("", "argon2d", p[2], p[3], p[4], p[5])},
		{"old version", join("", "argon2id", "v=16", p[3], p[4], p[5])},
		{"missing version", join("", "argon2id", p[3], p[4], p[5])},
		{"bad version", join("", "argon2id", "v=x", p[3], p[4], p[5])},
		{"missing field", join("", "argon2id", p[2], p[3], p[4])},
		{"extra field", good + "$x"},
		{"no leading $", strings.TrimPrefix(good, "$")},
		{"params reordered", join("", "argon2id", p[2], "t=1,m=64,p=1", p[4], p[5])},
		{"params with junk", join("", "argon2id", p[2], p[3]+",x=1", p[4], p[5])},
		{"negative memory", join("", "argon2id", p[2], "m=-1,t=1,p=1", p[4], p[5])},
		{"zero time", join("", "argon2id", p[2], "m=64,t=0,p=1", p[4], p[5])},
		{"zero threads", join("", "argon2id", p[2], "m=64,t=1,p=0", p[4], p[5])},
		{"memory too low for threads", join("", "argon2id", p[2], "m=8,t=1,p=4", p[4], p[5])},
		{"memory bomb", join("", "argon2id", p[2], "m=4194304,t=1,p=1", p[4], p[5])},
		{"time bomb", join("", "argon2id", p[2], "m=64,t=1000,p=1", p[4], p[5])},
		{"thread bomb", join("", "argon2id", p[2], "m=65536,t=1,p=255", p[4], p[5])},
		{"salt not base64", join("", "argon2id", p[2], p[3], "!!!!", p[5])},
		{"salt padded", join("", "argon2id", p[2], p[3], p[4]+"==", p[5])},
		{"salt too short", join("", "argon2id", p[2], p[3], "AAAA", p[5])},
		{"empty salt", join("", "argon2id", p[2], p[3], "", p[5])},
		{"hash not base64", join("", "argon2id", p[2], p[3], p[4], "****")},
		{"hash too short", join("", "argon2id", p[2], p[3], p[4], "AAAA")},
		{"empty hash", join("", "argon2id", p[2], p[3], p[4], "")},
	}
	for _, tt := range tests {
		ok, err := VerifyPassword(tt.encoded, "correct horse battery staple")
		if ok || !errors.Is(err, ErrMalformedHash) {
			t.Errorf("%s: VerifyPassword(%q) = %v, %v; want false, ErrMalformedHash", tt.name, tt.encoded, ok, err)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		want error
	}{
		{"empty", "", ErrPasswordTooShort},
		{"nine characters", "123456789", ErrPasswordTooShort},
		{"ten characters", "1234567890", nil},
		{"ten multibyte characters", "ééééééééé€", nil},
		{"nine multibyte characters count as nine", "ééééééééé", ErrPasswordTooShort},
		{"passphrase with spaces", "correct horse battery staple", nil},
		{"256 characters", strings.Repeat("a", 256), nil},
		{"257 characters", strings.Repeat("a", 257), ErrPasswordTooLong},
		{"only spaces", strings.Repeat(" ", 12), ErrPasswordBlank},
		{"only mixed whitespace", " \t\n \u00a0\u3000    \r ", ErrPasswordBlank},
		{"padded but real", "   secret-value   ", nil},
	}
	for _, tt := range tests {
		err := ValidatePassword(tt.pw)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: ValidatePassword = %v, want %v", tt.name, err, tt.want)
		}
	}
	if msg := ErrPasswordTooShort.Error(); msg != "password must be at least 10 characters long" {
		t.Errorf("too-short message = %q", msg)
	}
}
