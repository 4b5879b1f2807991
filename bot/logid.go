package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// LogID is how a user appears in logs: a keyed hash of the user id, the same
// on every replica that shares key, so log lines of one user can be joined
// without the log holding who they are. With an empty key it is a plain
// SHA-256, which a numeric id (Telegram's) does not hide from a determined
// reader: production sets a key (LOANBOT_DATA_KEY's current key is used).
func LogID(key []byte, user string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(user))
	return hex.EncodeToString(m.Sum(nil)[:8])
}
