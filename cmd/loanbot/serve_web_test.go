package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
	if !healthy(base, 10*time.Second) {
		t.Fatalf("serve did not come up: %s", errOut.String())
	}
	return base, errOut
}

// healthy waits up to within for base's /healthz to answer.
func healthy(base string, within time.Duration) bool {
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			return true
		}
	}
	return false
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
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	res, err := c.Get(base + "/") // the page gives the identity
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Contains(page, []byte("<html")) {
		t.Fatalf("GET /: %d %.200s", res.StatusCode, page)
	}
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

// TestServeKeepsHealthAndMetricsApart: /metrics is not on the public
// listener, only on LOANBOT_METRICS_ADDR; and with one address holding all
// the event streams it may (64), /healthz, the page and other users still
// answer.
func TestServeKeepsHealthAndMetricsApart(t *testing.T) {
	t.Setenv("REDIS_URL", "")
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	maddr := freeAddr(t)
	t.Setenv("LOANBOT_METRICS_ADDR", maddr)
	base, _ := serveInBackground(t)
	get := func(c *http.Client, url string) (int, string) {
		res, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, _ := get(http.DefaultClient, base+"/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics on the public listener: %d, want 404", code)
	}
	if code, body := get(http.DefaultClient, "http://"+maddr+"/metrics"); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics on LOANBOT_METRICS_ADDR: %d %.100s", code, body)
	}

	// Users with a conversation (a user holds 4 streams at most) open
	// streams from one address until refused.
	var jars []http.CookieJar
	for i := 0; i < 17; i++ {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
		get(c, base+"/")
		body, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("flood-%04d", i), "text": "你好"})
		req, _ := http.NewRequest("POST", base+"/api/message", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		res, err := c.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("first message: %v %v", err, res)
		}
		res.Body.Close()
		jars = append(jars, jar)
	}
	// Their answers are counted as sends of the web channel.
	if _, body := get(http.DefaultClient, "http://"+maddr+"/metrics"); !strings.Contains(body, `loanbot_sends_total{channel="web",outcome="ok"}`) {
		t.Errorf("web answers not in loanbot_sends_total")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	refused := 0
	for i := 0; i < 68 && refused == 0; i++ {
		jar := jars[i/4]
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/events", nil)
		tr := &http.Transport{} // a connection each, as a flood would
		res, err := (&http.Client{Jar: jar, Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		switch res.StatusCode {
		case 200:
			defer res.Body.Close()
		case http.StatusTooManyRequests:
			refused = i + 1
			res.Body.Close()
		default:
			t.Fatalf("stream %d: %d", i+1, res.StatusCode)
		}
	}
	if refused != 65 {
		t.Errorf("refused stream number %d, want the 65th", refused)
	}
	if code, _ := get(http.DefaultClient, base+"/healthz"); code != 200 {
		t.Errorf("/healthz with the streams capped: %d", code)
	}
	other, _ := cookiejar.New(nil)
	if code, _ := get(&http.Client{Jar: other, Timeout: 10 * time.Second}, base+"/"); code != 200 {
		t.Errorf("the page for someone else: %d", code)
	}
}
