package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"loanbot/store"
	"loanbot/store/storetest"
)

// Two replicas, each with its own session cache, on one Redis: a session
// one of them changed (or deleted) is never overwritten from the other's
// stale copy; the save fails with ErrConflict and the next load reads Redis.
func TestSessionCacheYieldsToOtherReplicas(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Client(t)
	a := store.New(rdb).WithRateWindow(time.Minute).WithSessionCache(100)
	b := store.New(rdb).WithRateWindow(time.Minute).WithSessionCache(100)
	u := storetest.User("cache")
	now := time.Now()

	s, _, _ := a.Load(ctx, u, "m1")
	s.Flow = "one"
	if err := a.Save(ctx, u, s, "m1", now); err != nil {
		t.Fatal(err)
	}
	sb, dup, _ := b.Load(ctx, u, "m2")
	if dup || sb.Flow != "one" || sb.Rev != 1 {
		t.Fatalf("b loads %+v dup %v", sb, dup)
	}
	sb.Flow = "two"
	if err := b.Save(ctx, u, sb, "m2", now); err != nil {
		t.Fatal(err)
	}
	// a's cache still says rev 1, "one": its save must lose, not overwrite.
	sa, _, _ := a.Load(ctx, u, "m3")
	sa.Flow = "three"
	if err := a.Save(ctx, u, sa, "m3", now); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale save: %v", err)
	}
	sa, _, _ = a.Load(ctx, u, "m3")
	if sa.Flow != "two" || sa.Rev != 2 || sa.Hits != 2 {
		t.Fatalf("after the conflict a loads %+v", sa)
	}
	// A retry of m2 (handled by b) reaching a: caught by the save.
	sa.Flow = "again"
	if err := a.Save(ctx, u, sa, "m2", now); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("a retry handled elsewhere: %v", err)
	}
	// A retry of a message a handled itself is known from its cache.
	s, _, _ = a.Load(ctx, u, "m4")
	if err := a.Save(ctx, u, s, "m4", now); err != nil {
		t.Fatal(err)
	}
	if _, dup, _ := a.Load(ctx, u, "m4"); !dup {
		t.Error("a retry of m4 is not recognised from the cache")
	}
	// b deletes the user (/forget): a starts afresh, not from its copy.
	if err := b.DeleteUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	s, _, _ = a.Load(ctx, u, "m5")
	s.Flow = "stale"
	if err := a.Save(ctx, u, s, "m5", now); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("save over a deleted session: %v", err)
	}
	if s, _, _ = a.Load(ctx, u, "m5"); s.Rev != 0 || s.Flow != "" {
		t.Errorf("after /forget elsewhere: %+v", s)
	}
}
