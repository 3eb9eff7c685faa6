package webhook

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The Standard Webhooks specification's test vector.
const (
	specSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTS     = 1614265330
	specBody   = `{"test": 2432232314}`
	specSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignMatchesTheSpecVector(t *testing.T) {
	got, err := Sign(specSecret, specID, time.Unix(specTS, 0), []byte(specBody))
	if err != nil {
		t.Fatal(err)
	}
	if got != specSig {
		t.Errorf("Sign = %s, want %s", got, specSig)
	}
}

func TestNewSecret(t *testing.T) {
	a, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSecret()
	if !strings.HasPrefix(a, "whsec_") || a == b {
		t.Fatalf("secrets %q and %q: want distinct whsec_ secrets", a, b)
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "whsec_"))
	if err != nil || len(k) != 32 {
		t.Errorf("secret key: %d bytes, %v; want 32 bytes of base64", len(k), err)
	}
	if _, err := Sign(a, "msg", time.Now(), nil); err != nil {
		t.Errorf("signing with a new secret: %v", err)
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(specTS, 0)
	other, _ := NewSecret()
	otherSig, _ := Sign(other, specID, now, []byte(specBody))
	header := func(id, ts, sig string) http.Header {
		h := http.Header{}
		if id != "" {
			h.Set(HeaderID, id)
		}
		if ts != "" {
			h.Set(HeaderTimestamp, ts)
		}
		if sig != "" {
			h.Set(HeaderSignature, sig)
		}
		return h
	}
	ts := "1614265330"
	tests := []struct {
		name   string
		secret string
		header http.Header
		body   string
		now    time.Time
		want   error
	}{
		{"spec vector", specSecret, header(specID, ts, specSig), specBody, now, nil},
		{"secret without prefix", strings.TrimPrefix(specSecret, "whsec_"), header(specID, ts, specSig), specBody, now, nil},
		{"one of several signatures", specSecret, header(specID, ts, otherSig+" v2,abc "+specSig), specBody, now, nil},
		{"within tolerance", specSecret, header(specID, ts, specSig), specBody, now.Add(4 * time.Minute), nil},
		{"tampered body", specSecret, header(specID, ts, specSig), `{"test": 2432232315}`, now, ErrSignature},
		{"other message id", specSecret, header("msg_other", ts, specSig), specBody, now, ErrSignature},
		{"other secret", other, header(specID, ts, specSig), specBody, now, ErrSignature},
		{"wrong version", specSecret, header(specID, ts, "v2,"+strings.TrimPrefix(specSig, "v1,")), specBody, now, ErrSignature},
		{"too old", specSecret, header(specID, ts, specSig), specBody, now.Add(6 * time.Minute), ErrTimestamp},
		{"from the future", specSecret, header(specID, ts, specSig), specBody, now.Add(-6 * time.Minute), ErrTimestamp},
		{"malformed timestamp", specSecret, header(specID, "soon", specSig), specBody, now, ErrTimestamp},
		{"no signature", specSecret, header(specID, ts, ""), specBody, now, ErrMissingHeaders},
		{"no id", specSecret, header("", ts, specSig), specBody, now, ErrMissingHeaders},
		{"malformed secret", "whsec_!!!", header(specID, ts, specSig), specBody, now, ErrSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verifyAt(tt.secret, tt.header, []byte(tt.body), 0, tt.now)
			if !errors.Is(err, tt.want) {
				t.Errorf("verify = %v, want %v", err, tt.want)
			}
		})
	}
}
