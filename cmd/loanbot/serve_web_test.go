package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"
	"time"
)

// freeAddr is a 127.0.0.1 address nothing listens on.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serveInBackground runs `loanbot serve` until the test ends (SIGTERM by
// ctx), waits for /healthz and returns the base URL and its stderr.
func serveInBackground(t *testing.T) (base string, errOut *syncBuffer) {
	addr := freeAddr(t)
	t.Setenv("LISTEN_ADDR", addr)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	errOut = &syncBuffer{}
	go func() { done <- run(ctx, []string{"serve"}, strings.NewReader(""), io.Discard, errOut) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d: %s", code, errOut.String())
			}
		case <-time.After(11 * time.Second):
			t.Error("serve did not stop within 10 s")
		}
	})
	base = "http://" + addr
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			return base, errOut
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not come up: %s", errOut.String())
		}
	}
}

// TestServeWebChatOnTheEmbeddedStore: with no REDIS_URL and no channel
// settings, `loanbot serve` serves the web chat at "/" on the embedded store
// and says so; a same-origin message gets the FAQ answer, a cross-origin one
// is refused.
func TestServeWebChatOnTheEmbeddedStore(t *testing.T) {
	t.Setenv("REDIS_URL", "")
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	base, errOut := serveInBackground(t)
	if s := errOut.String(); !strings.Contains(s, "embedded") || !strings.Contains(s, "web chat on") {
		t.Errorf("stderr must name the embedded store and the web chat: %q", s)
	}
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Contains(page, []byte("<html")) {
		t.Fatalf("GET /: %d %.200s", res.StatusCode, page)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	post := func(origin, text string) (int, string) {
		body, _ := json.Marshal(map[string]string{"id": "m" + strings.ReplaceAll(time.Now().Format("150405.000000000"), ".", ""), "text": text})
		req, _ := http.NewRequest("POST", base+"/api/message", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", origin)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, body := post(base, "微粒贷逾期会被起诉吗")
	if code != 200 || !strings.Contains(body, "起诉") || !strings.Contains(body, `"buttons"`) {
		t.Errorf("same origin: %d %.300s", code, body)
	}
	if code, body := post("https://evil.example", "/forget"); code != http.StatusForbidden {
		t.Errorf("cross origin: %d %s", code, body)
	}
}

// TestServeWithoutTheWebChat: LOANBOT_WEB=off leaves "/" unserved.
func TestServeWithoutTheWebChat(t *testing.T) {
	t.Setenv("REDIS_URL", "")
	t.Setenv("LOANBOT_WEB", "off")
	base, _ := serveInBackground(t)
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET / with LOANBOT_WEB=off: %d", res.StatusCode)
	}
}

// syncBuffer is a bytes.Buffer the server may write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
