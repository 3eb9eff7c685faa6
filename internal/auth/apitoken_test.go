package auth

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
)

// Golden tokens computed independently (Python zlib.crc32, base62), pinning
// the wire format so stored tokens keep validating across releases.
var goldenAPITokens = []string{
	"crm_0000000000000000000000000000002C8GjS",
	"crm_AbCdEfGhIjKlMnOpQrStUvWxYz01232piBxe",
}

func TestGeneratedAPITokensPassTheFormatCheck(t *testing.T) {
	if APITokenLength != 40 {
		t.Fatalf("APITokenLength = %d, want 40", APITokenLength)
	}
	seen := map[string]bool{}
	for range 200 {
		tok, prefix, hash, err := GenerateAPIToken()
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckAPITokenFormat(tok); err != nil {
			t.Fatalf("CheckAPITokenFormat(%q) = %v", tok, err)
		}
		if len(tok) != 40 || !strings.HasPrefix(tok, "crm_") {
			t.Fatalf("token %q: want crm_ + 36 characters", tok)
		}
		if prefix != tok[:12] || len(prefix) != 12 {
			t.Fatalf("prefix %q, want the first 12 characters of %q", prefix, tok)
		}
		sum := sha256.Sum256([]byte(tok))
		if !bytes.Equal(hash, sum[:]) || !bytes.Equal(hash, HashSecret(tok)) {
			t.Fatalf("hash of %q is not its SHA-256", tok)
		}
		if !LooksLikeAPIToken(tok) {
			t.Fatalf("LooksLikeAPIToken(%q) = false", tok)
		}
		if seen[tok] {
			t.Fatalf("duplicate token %q", tok)
		}
		seen[tok] = true
	}
}

func TestGoldenAPITokensPassTheFormatCheck(t *testing.T) {
	for _, tok := range goldenAPITokens {
		if err := CheckAPITokenFormat(tok); err != nil {
			t.Errorf("CheckAPITokenFormat(%q) = %v", tok, err)
		}
	}
}

func TestHashSecretIsStable(t *testing.T) {
	// SHA-256("crm_0000000000000000000000000000002C8GjS") must never change:
	// stored hashes are looked up by it.
	a, b := HashSecret(goldenAPITokens[0]), HashSecret(goldenAPITokens[0])
	if !bytes.Equal(a, b) || len(a) != 32 {
		t.Fatalf("HashSecret not stable or not 32 bytes: %x %x", a, b)
	}
	if bytes.Equal(a, HashSecret(goldenAPITokens[1])) {
		t.Fatal("different secrets hash equal")
	}
}

func TestEverySingleCharacterChangeIsRejected(t *testing.T) {
	candidates := base62Alphabet + "_-+/=. !~\x00é"
	tokens := append([]string{}, goldenAPITokens...)
	for range 5 {
		tok, _, _, err := GenerateAPIToken()
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	for _, tok := range tokens {
		for i := range len(tok) {
			for _, c := range []byte(candidates) {
				if c == tok[i] {
					continue
				}
				mutated := tok[:i] + string(c) + tok[i+1:]
				if err := CheckAPITokenFormat(mutated); err == nil {
					t.Fatalf("changing position %d of %q to %q was accepted", i, tok, c)
				} else if !errors.Is(err, ErrMalformedAPIToken) {
					t.Fatalf("error %v does not match ErrMalformedAPIToken", err)
				}
			}
		}
	}
}

func TestEveryTruncationAndExtensionIsRejected(t *testing.T) {
	for _, tok := range goldenAPITokens {
		for n := range len(tok) {
			if err := CheckAPITokenFormat(tok[:n]); err == nil {
				t.Errorf("truncation to %d characters %q was accepted", n, tok[:n])
			}
			if err := CheckAPITokenFormat(tok[len(tok)-n:]); err == nil {
				t.Errorf("suffix of %d characters %q was accepted", n, tok[len(tok)-n:])
			}
		}
		for _, extra := range []string{"0", "a", " ", "\n"} {
			if err := CheckAPITokenFormat(tok + extra); err == nil {
				t.Errorf("extended token %q was accepted", tok+extra)
			}
		}
	}
}

func TestCheckAPITokenFormatRejects(t *testing.T) {
	tests := []struct{ name, tok string }{
		{"empty", ""},
		{"prefix only", "crm_"},
		{"other vendor prefix", "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"},
		{"upper-case prefix", "CRM_0000000000000000000000000000002C8GjS"},
		{"refresh token", "crmr_000000000000000000000000000000000000000000"},
		{"swapped checksum", "crm_AbCdEfGhIjKlMnOpQrStUvWxYz01232C8GjS"},
		{"jwt", "eyJhbGciOiJIUzI1NiJ9.e30.x"},
	}
	for _, tt := range tests {
		err := CheckAPITokenFormat(tt.tok)
		if err == nil || !errors.Is(err, ErrMalformedAPIToken) {
			t.Errorf("%s: CheckAPITokenFormat(%q) = %v, want ErrMalformedAPIToken", tt.name, tt.tok, err)
		} else if strings.Contains(err.Error(), tt.tok) && tt.tok != "" {
			t.Errorf("%s: error %q echoes the token", tt.name, err)
		}
	}
}

func TestLooksLikeAPIToken(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"crm_0000000000000000000000000000002C8GjS", true},
		{"crm_garbage", true}, // routed as an API token, then refused by the format check
		{"crmr_abc", false},
		{"CRM_abc", false},
		{"eyJhbGciOiJIUzI1NiJ9.e30.x", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := LooksLikeAPIToken(tt.in); got != tt.want {
			t.Errorf("LooksLikeAPIToken(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestRefreshTokens(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok, hash, err := GenerateRefreshToken()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tok, "crmr_") || len(tok) != 5+43 {
			t.Fatalf("refresh token %q: want crmr_ + 43 characters", tok)
		}
		if strings.Trim(tok[5:], base62Alphabet) != "" {
			t.Fatalf("refresh token %q has non-base62 characters", tok)
		}
		if !bytes.Equal(hash, HashSecret(tok)) {
			t.Fatalf("refresh token hash is not HashSecret(token)")
		}
		if LooksLikeAPIToken(tok) || CheckAPITokenFormat(tok) == nil {
			t.Fatalf("refresh token %q mistaken for an API token", tok)
		}
		if seen[tok] {
			t.Fatalf("duplicate refresh token %q", tok)
		}
		seen[tok] = true
	}
}

func TestRandomBase62UsesTheWholeAlphabet(t *testing.T) {
	s, err := randomBase62(20000)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 20000 {
		t.Fatalf("len = %d", len(s))
	}
	counts := map[rune]int{}
	for _, c := range s {
		counts[c]++
	}
	for _, c := range base62Alphabet {
		// Expected about 322 each; 200 is far outside random variation.
		if counts[c] < 200 {
			t.Errorf("character %q drawn %d times in 20000, want about 322", c, counts[c])
		}
	}
	if len(counts) != 62 {
		t.Errorf("drew %d distinct characters, want 62", len(counts))
	}
}
