package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"loanbot/store"
	"loanbot/store/storetest"
)

// The kinds dialogs declares, used here as examples.
func init() {
	store.RegisterDoc("plan")
	store.RegisterLog("calls")
}

func TestSessionRoundTripAndCompareAndSet(t *testing.T) {
	ctx := context.Background()
	s := store.New(storetest.Client(t))
	u := storetest.User("cas")
	now := time.Now()

	sess, dup, err := s.Load(ctx, u, "m1")
	if err != nil || dup || sess.Rev != 0 {
		t.Fatalf("first load: %+v dup=%v err=%v", sess, dup, err)
	}
	sess.Flow, sess.State, sess.Slots = "negotiate", "owed", map[string]string{"lender": "weilidai"}
	if err := s.Save(ctx, u, sess, "m1", now); err != nil {
		t.Fatal(err)
	}
	if sess.Rev != 1 {
		t.Fatalf("rev after first save = %d, want 1", sess.Rev)
	}
	got, dup, err := s.Load(ctx, u, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if !dup {
		t.Error("m1 was saved, so it must read as seen")
	}
	if got.Rev != 1 || got.Flow != "negotiate" || got.Slots["lender"] != "weilidai" {
		t.Errorf("loaded %+v", got)
	}

	stale := *got
	got.State = "days"
	if err := s.Save(ctx, u, got, "m2", now); err != nil {
		t.Fatal(err)
	}
	stale.State = "income"
	if err := s.Save(ctx, u, &stale, "m3", now); !errors.Is(err, store.ErrConflict) {
		t.Errorf("save on a stale rev: err=%v, want ErrConflict", err)
	}
	if err := s.Save(ctx, u, got, "m2", now); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("save of a seen message: err=%v, want ErrDuplicate", err)
	}
	final, _, _ := s.Load(ctx, u, "")
	if final.State != "days" || final.Rev != 2 {
		t.Errorf("final %+v, want state days rev 2", final)
	}
}

func TestSessionExpiresWhenIdle(t *testing.T) {
	ctx := context.Background()
	c := storetest.Client(t)
	s := store.New(c)
	u := storetest.User("ttl")
	if err := s.Save(ctx, u, &store.Session{Flow: "x"}, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	ttl := c.PTTL(ctx, store.KeyOf(store.KeySession, u)).Val()
	if ttl <= 29*24*time.Hour || ttl > store.SessionTTL {
		t.Errorf("session TTL %v, want about 30 days", ttl)
	}
}

func TestDeleteUserLeavesNoKey(t *testing.T) {
	ctx := context.Background()
	c := storetest.Client(t)
	s := store.New(c)
	u, other := storetest.User("forget"), storetest.User("keep")
	for _, user := range []string{u, other} {
		if err := s.Save(ctx, user, &store.Session{Flow: "x"}, "m1", time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := s.PutDoc(ctx, user, "plan", map[string]int{"monthly": 210000}); err != nil {
			t.Fatal(err)
		}
		if err := s.AppendLog(ctx, user, "calls", map[string]string{"agent": "A"}, 10); err != nil {
			t.Fatal(err)
		}
		// A key the store does not list by name still goes.
		c.Set(ctx, store.UserKeyForTest(user, "extra"), "1", 0)
	}
	if n, _ := s.UserKeyCount(ctx, u); n != 5 {
		t.Fatalf("before delete: %d keys, want 5", n)
	}
	if err := s.DeleteUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if n, err := s.UserKeyCount(ctx, u); err != nil || n != 0 {
		t.Errorf("after delete: %d keys (err %v), want 0", n, err)
	}
	if n, _ := s.UserKeyCount(ctx, other); n != 5 {
		t.Errorf("another user's keys: %d, want 5 untouched", n)
	}
}

func TestDeleteUsersWithPrefixTakesOnlyThoseUsers(t *testing.T) {
	ctx := context.Background()
	s := store.New(storetest.Client(t))
	run := storetest.User("run")
	users := []string{run + "-1", run + "-2", run + "x"}
	other := storetest.User("other")
	for _, u := range append(users, other) {
		if err := s.Save(ctx, u, &store.Session{Flow: "x"}, "m1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if keys, err := s.UserKeys(ctx, users[0]); err != nil || len(keys) != 2 {
		t.Fatalf("keys of a user after one message: %q %v, want session and seen", keys, err)
	}
	n, err := s.DeleteUsersWithPrefix(ctx, run)
	if err != nil || n != 6 {
		t.Errorf("deleted %d keys (err %v), want 6", n, err)
	}
	for _, u := range users {
		if n, _ := s.UserKeyCount(ctx, u); n != 0 {
			t.Errorf("%s: %d keys left", u, n)
		}
	}
	if n, _ := s.UserKeyCount(ctx, other); n != 2 {
		t.Errorf("a user outside the prefix: %d keys, want 2 untouched", n)
	}
	if _, err := s.DeleteUsersWithPrefix(ctx, ""); err == nil {
		t.Error("an empty prefix (every user) must be refused")
	}
}

func TestDeleteNamespaceOnlyForANamespace(t *testing.T) {
	ctx := context.Background()
	c := storetest.Client(t)
	s := store.New(c).WithNamespace(storetest.User("ns"))
	u := storetest.User("due")
	at := time.Now().Add(-time.Minute)
	if err := s.Schedule(ctx, u, "r1", at); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteNamespace(ctx); err != nil {
		t.Fatal(err)
	}
	if due, err := s.ClaimDue(ctx, store.DueShard(u), time.Now(), time.Minute, 10); err != nil || len(due) != 0 {
		t.Errorf("after DeleteNamespace: %v %v, want nothing due", due, err)
	}
	if err := store.New(c).DeleteNamespace(ctx); err == nil {
		t.Error("the production namespace must be refused")
	}
}

func TestDocsAndLogs(t *testing.T) {
	ctx := context.Background()
	s := store.New(storetest.Client(t))
	u := storetest.User("docs")
	var v map[string]int
	if found, err := s.GetDoc(ctx, u, "plan", &v); found || err != nil {
		t.Fatalf("missing doc: found=%v err=%v", found, err)
	}
	s.PutDoc(ctx, u, "plan", map[string]int{"a": 1})
	if found, _ := s.GetDoc(ctx, u, "plan", &v); !found || v["a"] != 1 {
		t.Errorf("doc = %v", v)
	}
	for i := 0; i < 5; i++ {
		s.AppendLog(ctx, u, "calls", i, 3)
	}
	logs, err := s.Logs(ctx, u, "calls", 10)
	if err != nil || len(logs) != 3 || string(logs[0]) != "4" {
		t.Errorf("logs = %q err %v, want newest first, capped at 3", logs, err)
	}
}

func TestUnregisteredKindIsRefused(t *testing.T) {
	ctx := context.Background()
	c := storetest.Client(t)
	s := store.New(c)
	u := storetest.User("kind")
	var v map[string]int
	for name, err := range map[string]error{
		"PutDoc":    s.PutDoc(ctx, u, "undeclared", map[string]int{"a": 1}),
		"GetDoc":    func() error { _, err := s.GetDoc(ctx, u, "undeclared", &v); return err }(),
		"AppendLog": s.AppendLog(ctx, u, "undeclared", 1, 10),
		"Logs":      func() error { _, err := s.Logs(ctx, u, "undeclared", 10); return err }(),
	} {
		if !errors.Is(err, store.ErrUnregisteredKind) || !strings.Contains(err.Error(), "undeclared") {
			t.Errorf("%s of an undeclared kind: err=%v, want ErrUnregisteredKind naming the kind", name, err)
		}
	}
	if n, _ := s.UserKeyCount(ctx, u); n != 0 {
		t.Errorf("an undeclared kind left %d keys", n)
	}
}

func TestOpenNamesTheBadURL(t *testing.T) {
	_, err := store.Open("redis://user:secret@host:notaport")
	if err == nil {
		t.Fatal("want an error")
	}
	if got := err.Error(); !strings.Contains(got, "REDIS_URL") || strings.Contains(got, "secret") {
		t.Errorf("error %q must name REDIS_URL and hide the password", got)
	}
}
