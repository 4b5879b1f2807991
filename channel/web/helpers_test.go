package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"loanbot/bot"
	"loanbot/faq"
	"loanbot/remind"
	"loanbot/store"
	"loanbot/store/storetest"
)

// chat is a web chat on the real engine, the real FAQ and a test Redis.
type chat struct {
	srv  *Server
	http *httptest.Server
	st   *store.Store
}

func newEngine(t testing.TB, st *store.Store) *bot.Engine {
	t.Helper()
	kb, err := faq.Load()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := bot.New(st, kb, bot.WithReminders(remind.NewService(st, "Asia/Shanghai")))
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func newChat(t testing.TB, opts ...Option) *chat {
	t.Helper()
	st := storetest.Store(t)
	return newChatOn(t, st, newEngine(t, st), opts...)
}

func newChatOn(t testing.TB, st *store.Store, eng Handler, opts ...Option) *chat {
	t.Helper()
	// The per-address limit is off unless a test sets it: every test talks
	// from 127.0.0.1 to one shared Redis, whose counter outlives a run.
	opts = append([]Option{WithLogger(slog.New(slog.DiscardHandler)), WithAddrLimit(0, 0), WithNewUsers(0, 0)}, opts...)
	srv, err := New(eng, st, opts...)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close()
		hs.Close()
	})
	return &chat{srv: srv, http: hs, st: st}
}

// client is one browser: its own cookie jar.
type client struct {
	t    testing.TB
	base string
	hc   *http.Client
	n    atomic.Int64
}

// client opens the page, as a browser does, and so holds an identity.
func (c *chat) client(t testing.TB) *client {
	t.Helper()
	u := c.bare(t)
	res := u.do("GET", "/", nil, nil)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || u.cookie() == nil {
		t.Fatalf("GET /: %d, cookie %v", res.StatusCode, u.cookie())
	}
	return u
}

// bare is a client that never opened the page: no identity.
func (c *chat) bare(t testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: c.http.URL, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func (c *client) id() string { return fmt.Sprintf("msg-%d-%d", time.Now().UnixNano(), c.n.Add(1)) }

// do sends a request like the page does (same origin, JSON).
func (c *client) do(method, path string, body []byte, hdr map[string]string) *http.Response {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", c.base)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return res
}

func (c *client) post(m request) (int, answer) {
	c.t.Helper()
	if m.ID == "" {
		m.ID = c.id()
	}
	body, _ := json.Marshal(m)
	res := c.do("POST", "/api/message", body, nil)
	defer res.Body.Close()
	var a answer
	json.NewDecoder(res.Body).Decode(&a)
	return res.StatusCode, a
}

// say sends text and returns the bot's answer as one string.
func (c *client) say(text string) string {
	c.t.Helper()
	code, a := c.post(request{Text: text})
	if code != http.StatusOK {
		c.t.Fatalf("say %q: status %d", text, code)
	}
	return joined(a.Messages)
}

func (c *client) tap(payload, label string) string {
	c.t.Helper()
	code, a := c.post(request{Payload: payload, Label: label})
	if code != http.StatusOK {
		c.t.Fatalf("tap %q: status %d", payload, code)
	}
	return joined(a.Messages)
}

func (c *client) history() answer {
	c.t.Helper()
	res := c.do("GET", "/api/history", nil, nil)
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("history: status %d", res.StatusCode)
	}
	var a answer
	json.NewDecoder(res.Body).Decode(&a)
	return a
}

func (c *client) cookie() *http.Cookie {
	for _, k := range c.hc.Jar.Cookies(mustURL(c.base)) {
		if k.Name == cookieName {
			return k
		}
	}
	return nil
}

func joined(vs []view) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString(v.Text)
		b.WriteString("\n")
		for _, row := range v.Buttons {
			for _, btn := range row {
				b.WriteString("[" + btn.Label + "]")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// events opens the event stream and returns the messages it delivers.
func (c *client) events(ctx context.Context) <-chan view {
	c.t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/api/events", nil)
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("events: %v", err)
	}
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("events: status %d", res.StatusCode)
	}
	out := make(chan view, 16)
	ready := make(chan struct{})
	go func() {
		defer res.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		first := true
		for sc.Scan() {
			line := sc.Text()
			if first && line == "" {
				first = false
				close(ready) // the stream is registered once its first bytes arrive
			}
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				var v view
				if json.Unmarshal([]byte(data), &v) == nil {
					out <- v
				}
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		c.t.Fatal("events: no preamble")
	}
	return out
}

func next(t testing.TB, ch <-chan view) view {
	t.Helper()
	select {
	case v, ok := <-ch:
		if !ok {
			t.Fatal("event stream ended")
		}
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	return view{}
}

func readAll(t testing.TB, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
