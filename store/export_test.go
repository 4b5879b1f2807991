package store

// Keys for the store's own tests (package store_test) that look at Redis
// itself; other packages use KeyOf.
var (
	DocKeyForTest = docKey
	LogKeyForTest = logKey
)

// UserKeyForTest is a key under user's hash tag that no method writes (a
// key left by a feature the store does not know).
func UserKeyForTest(user, name string) string { return prefix + "{" + user + "}:" + name }
