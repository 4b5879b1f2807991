package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"loanbot/bot"
	"loanbot/faq"
	"loanbot/store"
	"loanbot/store/storetest"
)

// These tests attack the web chat the way the security review did: scripts
// without the page, floods from one address, streams held open.

// userOf is the engine's user of a client's identity.
func userOf(t testing.TB, c *client) string {
	t.Helper()
	ck := c.cookie()
	if ck == nil {
		t.Fatal("no identity cookie")
	}
	id, _, _ := strings.Cut(ck.Value, ".")
	return Channel + ":" + id
}

// freshAddr is a documentation IPv6 address in a /64 of its own, new each
// run (the counters live in a Redis shared by runs).
func freshAddr() string {
	r := randomID()
	return "2001:db8:" + r[:4] + ":" + r[4:8] + "::1"
}

func TestOnlyThePageGivesAnIdentity(t *testing.T) {
	c := newChat(t)
	st := c.st
	before, _ := st.Client().DBSize(context.Background()).Result()
	script := c.bare(t) // never loaded the page
	if code, _ := script.post(request{Text: "你好"}); code != http.StatusUnauthorized {
		t.Errorf("a message without the page's cookie: %d, want 401", code)
	}
	res := script.do("GET", "/api/history", nil, nil)
	var a answer
	json.NewDecoder(res.Body).Decode(&a)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || len(a.Messages) != 0 {
		t.Errorf("history without a cookie: %d %+v", res.StatusCode, a)
	}
	for _, p := range []string{"/api/events", "/api/file/x/image"} {
		res := script.do("GET", p, nil, nil)
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized && res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s without a cookie: %d", p, res.StatusCode)
		}
	}
	if script.cookie() != nil {
		t.Errorf("the API gave an identity: %v", script.cookie())
	}
	if after, _ := st.Client().DBSize(context.Background()).Result(); after > before+1 { // +1: a counter of another test
		t.Errorf("cookieless requests wrote %d keys", after-before)
	}
	// The page gives one, and with it the chat works.
	script.do("GET", "/", nil, nil).Body.Close()
	if code, _ := script.post(request{Text: "你好"}); code != http.StatusOK {
		t.Errorf("after the page: %d", code)
	}
}

func TestNewIdentitiesPerAddressAreBudgeted(t *testing.T) {
	c := newChat(t, WithNewUsers(3, time.Hour), WithTrustedProxies("127.0.0.1/32", "::1"))
	addr := freshAddr()
	page := func(u *client, from string) *http.Response {
		res := u.do("GET", "/", nil, map[string]string{"X-Forwarded-For": from})
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	var first *client
	for i := 0; i < 3; i++ {
		u := c.bare(t)
		if res := page(u, addr); res.StatusCode != http.StatusOK || u.cookie() == nil {
			t.Fatalf("new user %d: %d, cookie %v", i+1, res.StatusCode, u.cookie())
		}
		if first == nil {
			first = u
		}
	}
	over := c.bare(t)
	res := page(over, addr)
	if res.StatusCode != http.StatusTooManyRequests || over.cookie() != nil || res.Header.Get("Retry-After") == "" {
		t.Errorf("a 4th new user from one address: %d, cookie %v, Retry-After %q", res.StatusCode, over.cookie(), res.Header.Get("Retry-After"))
	}
	if code, _ := over.post(request{Text: "你好"}); code != http.StatusUnauthorized {
		t.Errorf("the refused visitor posts: %d", code)
	}
	// The page's script tells the person why (every language has the words).
	if !strings.Contains(string(assets["app.js"].body), `=== 429) return "crowded"`) {
		t.Error("app.js does not tell a refused visitor why")
	}
	// Who already has an identity is not counted, nor refused.
	if res := page(first, addr); res.StatusCode != http.StatusOK {
		t.Errorf("a returning user from the busy address: %d", res.StatusCode)
	}
	if code, _ := first.post(request{Text: "你好"}); code != http.StatusOK {
		t.Errorf("a returning user's message: %d", code)
	}
	// Another address has its own budget.
	if res := page(c.bare(t), freshAddr()); res.StatusCode != http.StatusOK {
		t.Errorf("another address: %d", res.StatusCode)
	}
}

func TestAnIdentityThatStopsAtItsFirstMessageIsKeptBriefly(t *testing.T) {
	c := newChat(t, WithBriefLife(time.Hour))
	rdb := c.st.Client()
	ctx := context.Background()
	ttl := func(key string) time.Duration {
		d, err := rdb.PTTL(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	u := c.client(t)
	u.post(request{Text: "/start", Silent: true}) // the page's own greeting
	u.say("逾期了怎么办")
	user := userOf(t, u)
	for _, k := range []string{store.KeyOf(store.KeySession, user), store.KeyOf(store.KeyHistory, user)} {
		if d := ttl(k); d <= 0 || d > time.Hour {
			t.Errorf("%s after one message lives %v, want at most an hour", k, d)
		}
	}
	u.say("会被起诉吗")
	for _, k := range []string{store.KeyOf(store.KeySession, user), store.KeyOf(store.KeyHistory, user)} {
		if d := ttl(k); d < 24*time.Hour {
			t.Errorf("%s after a second message lives %v, want as long as a conversation", k, d)
		}
	}
}

func TestHistoryIsCappedInBytes(t *testing.T) {
	const capBytes = 32 << 10
	c := newChatOn(t, storetest.Store(t), &slow{}, WithHistoryBytes(capBytes), WithHistory(50))
	u := c.client(t)
	long := strings.Repeat("我欠了很多钱不知道怎么办", 340) // 4,080 runes, 12 KB
	for i := 0; i < 12; i++ {
		if code, _ := u.post(request{Text: long}); code != http.StatusOK {
			t.Fatalf("message %d: %d", i+1, code)
		}
	}
	user := userOf(t, u)
	ctx := context.Background()
	vals, err := c.st.Client().LRange(ctx, store.KeyOf(store.KeyHistory, user), 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, v := range vals {
		total += len(v)
	}
	if total > capBytes || len(vals) < 2 {
		t.Errorf("history holds %d bytes in %d entries, cap %d", total, len(vals), capBytes)
	}
	if h := u.history(); len(h.Messages) != len(vals) || h.Messages[len(h.Messages)-1].From != "bot" {
		t.Errorf("the page sees %d of %d entries", len(h.Messages), len(vals))
	}
}

// rawStream opens GET /api/events on a bare TCP connection as user (cookie
// value) and returns the status; on 200 the connection stays open.
func rawStream(t testing.TB, base, cookie, from string) (int, net.Conn) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /api/events HTTP/1.1\r\nHost: x\r\nCookie: %s=%s\r\nX-Forwarded-For: %s\r\n\r\n", cookieName, cookie, from)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Time{})
	if res.StatusCode != http.StatusOK {
		conn.Close()
		return res.StatusCode, nil
	}
	t.Cleanup(func() { conn.Close() })
	return res.StatusCode, conn
}

func TestEventStreamFloodIsCappedAndOthersAreStillServed(t *testing.T) {
	c := newChatOn(t, storetest.Store(t), &slow{}, WithStreamsPerAddr(3), WithMaxStreams(5),
		WithTrustedProxies("127.0.0.1/32", "::1"))
	attacker := freshAddr()

	// Without the page's cookie: no stream, and no identity made.
	if code, _ := rawStream(t, c.http.URL, "", attacker); code != http.StatusUnauthorized {
		t.Errorf("a stream without a cookie: %d, want 401", code)
	}
	// With a cookie that never sent a message: none either.
	idle := c.client(t)
	if code, _ := rawStream(t, c.http.URL, idle.cookie().Value, attacker); code != http.StatusForbidden {
		t.Errorf("a stream of an identity that never wrote: %d, want 403", code)
	}
	// A real conversation may hold streams, up to the address's cap.
	u := c.client(t)
	u.say("你好")
	for i := 0; i < 3; i++ {
		if code, _ := rawStream(t, c.http.URL, u.cookie().Value, attacker); code != http.StatusOK {
			t.Fatalf("stream %d: %d", i+1, code)
		}
	}
	if code, _ := rawStream(t, c.http.URL, u.cookie().Value, attacker); code != http.StatusTooManyRequests {
		t.Errorf("a 4th stream from one address: %d, want 429", code)
	}
	// Other addresses fill the process.
	others := []*client{c.client(t), c.client(t)}
	for _, o := range others {
		o.say("你好")
		if code, _ := rawStream(t, c.http.URL, o.cookie().Value, freshAddr()); code != http.StatusOK {
			t.Fatalf("stream from another address: %d", code)
		}
	}
	late := c.client(t)
	late.say("你好")
	if code, _ := rawStream(t, c.http.URL, late.cookie().Value, freshAddr()); code != http.StatusServiceUnavailable {
		t.Errorf("a stream past the process's cap: %d, want 503", code)
	}
	// Both caps hit: the page, the history and messages still answer.
	res := late.do("GET", "/", nil, nil)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("the page while streams are capped: %d", res.StatusCode)
	}
	if code, a := late.post(request{Text: "还在吗"}); code != http.StatusOK || len(a.Messages) == 0 {
		t.Errorf("a message while streams are capped: %d %+v", code, a)
	}
	if h := late.history(); len(h.Messages) < 2 {
		t.Errorf("history while streams are capped: %+v", h)
	}
}

// TestStreamMemory measures what an open stream costs the server (heap and
// stacks, the test's own bare connections being small) and holds it under a
// bound: at the default cap of 20,000 streams the process stays within the
// figure SECURITY.md gives.
func TestStreamMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 400 connections")
	}
	const n = 400
	c := newChatOn(t, storetest.Store(t), &slow{}, WithStreamsPerAddr(0), WithMaxStreams(n))
	cookies := make([]string, n/4)
	for i := range cookies {
		u := c.client(t)
		u.say("你好")
		cookies[i] = u.cookie().Value
	}
	use := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse + m.StackInuse
	}
	before := use()
	for i := 0; i < n; i++ {
		if code, _ := rawStream(t, c.http.URL, cookies[i%len(cookies)], "127.0.0.1"); code != http.StatusOK {
			t.Fatalf("stream %d: %d", i+1, code)
		}
	}
	per := (int64(use()) - int64(before)) / n
	t.Logf("one open event stream: %d bytes of heap and stack (%d streams)", per, n)
	if per > 48<<10 {
		t.Errorf("a stream costs %d bytes; SECURITY.md promises under 48 KiB", per)
	}
}

// keyBytes is what a key takes in Redis: MEMORY USAGE on a real server, the
// bytes of its values on the embedded one (which has no MEMORY command).
func keyBytes(t testing.TB, rdb redis.UniversalClient, key string) int64 {
	ctx := context.Background()
	if n, err := rdb.MemoryUsage(ctx, key).Result(); err == nil {
		return n
	}
	var n int64
	switch typ, _ := rdb.Type(ctx, key).Result(); typ {
	case "string":
		n, _ = rdb.StrLen(ctx, key).Result()
	case "list":
		vs, _ := rdb.LRange(ctx, key, 0, -1).Result()
		for _, v := range vs {
			n += int64(len(v))
		}
	case "hash":
		m, _ := rdb.HGetAll(ctx, key).Result()
		for k, v := range m {
			n += int64(len(k) + len(v))
		}
	case "zset":
		vs, _ := rdb.ZRange(ctx, key, 0, -1).Result()
		for _, v := range vs {
			n += int64(len(v) + 8)
		}
	}
	return n + int64(len(key))
}

// TestWorstCasePerAddressPerDay measures what one client address can make
// Redis keep in a day with the limits serve runs with (SECURITY.md quotes
// it): the most an identity can hold, filled as an attacker would (the
// longest messages the page takes, as fast as the per-user limit lets),
// times the identities the address may make in a day; plus the
// de-duplication mark of every message the address may send, kept 24 h.
func TestWorstCasePerAddressPerDay(t *testing.T) {
	st := storetest.Store(t)
	kb, err := faq.Load()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := bot.New(st, kb, bot.WithRateLimit(20)) // as serve runs it
	if err != nil {
		t.Fatal(err)
	}
	c := newChatOn(t, st, eng) // the default history caps
	u := c.client(t)
	u.post(request{Text: "/start", Silent: true})
	long := strings.Repeat("催收天天打电话说要起诉我还要联系我家人我该怎么办", 180)[:maxText*3]
	for i := 0; i < 25; i++ { // past the per-user limit of 20 a minute
		u.post(request{ID: fmt.Sprintf("%064d", i), Text: long})
	}
	user := userOf(t, u)
	rdb := st.Client()
	ctx := context.Background()
	keys, err := st.UserKeys(ctx, user)
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys of the user: %v %v", keys, err)
	}
	var identity, seen int64
	for _, k := range keys {
		n := keyBytes(t, rdb, k)
		identity += n
		if k == store.KeyOf(store.KeySeen, user) {
			seen = n
		}
	}
	marks, _ := rdb.ZCard(ctx, store.KeyOf(store.KeySeen, user)).Result()
	perMark := seen / max(marks, 1)
	const (
		identitiesADay = 20 * 24       // WithNewUsers default, an hour
		messagesADay   = 300 * 60 * 24 // WithAddrLimit default, a minute
	)
	day := identitiesADay*identity + messagesADay*perMark
	t.Logf("one identity filled: %d bytes in %d keys; a de-duplication mark %d bytes; one address a day: %d identities × %d + %d marks × %d = %.0f MB",
		identity, len(keys), perMark, identitiesADay, identity, messagesADay, perMark, float64(day)/1e6)
	if day > 150e6 {
		t.Errorf("one address can fill %.0f MB a day; SECURITY.md promises at most 150 MB", float64(day)/1e6)
	}
}
