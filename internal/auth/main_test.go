package auth

import (
	"os"
	"testing"
)

// cheapPasswordParams keeps argon2id fast in tests; the production setting
// is exercised by TestHashPasswordUsesProductionParameters.
var cheapPasswordParams = argon2Params{memory: 64, time: 1, threads: 1, saltLen: 16, keyLen: 32}

func TestMain(m *testing.M) {
	passwordParams = cheapPasswordParams
	os.Exit(m.Run())
}
