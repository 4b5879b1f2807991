// Package storetest gives tests a Redis: the real server named by REDIS_URL
// when it is set (as in .ci/run), else an embedded one. Tests of several
// packages share the real server at once, so they never flush it: each test
// names its users with User, which makes them unique.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"

	"loanbot/store"
)

// Client returns a Redis client for t, closed when t ends.
func Client(t testing.TB) redis.UniversalClient {
	t.Helper()
	if url := os.Getenv("REDIS_URL"); url != "" {
		c, err := store.Open(url)
		if err != nil {
			t.Fatalf("REDIS_URL: %v", err)
		}
		if err := c.Ping(context.Background()).Err(); err != nil {
			t.Fatalf("REDIS_URL=%s does not answer: %v", url, err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	c, stop, err := store.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return c
}

// User returns a user id unique to this run, e.g. "test:name-3fa2c1d0".
func User(name string) string {
	var b [4]byte
	rand.Read(b[:])
	return "test:" + name + "-" + hex.EncodeToString(b[:])
}

// Store returns a store on Client(t) whose due sets belong to t alone.
func Store(t testing.TB) *store.Store {
	return store.New(Client(t)).WithNamespace(User("ns")).WithSessionCache(1000)
}
