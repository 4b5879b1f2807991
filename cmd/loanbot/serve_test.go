package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeAnswersTelegramByPolling runs `loanbot serve` with a token and a
// fake Bot API: the welcome goes out for /start, and SIGTERM (ctx) stops it.
func TestServeAnswersTelegramByPolling(t *testing.T) {
	var mu sync.Mutex
	var sent []string
	served := false
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		mu.Lock()
		defer mu.Unlock()
		switch method {
		case "getUpdates":
			if !served {
				served = true
				w.Write([]byte(`{"ok":true,"result":[{"update_id":7,"message":{"message_id":1,"date":1,"text":"/start",` +
					`"from":{"id":99,"is_bot":false,"first_name":"u","language_code":"en"},"chat":{"id":99,"type":"private"}}}]}`))
				return
			}
			time.Sleep(20 * time.Millisecond)
			w.Write([]byte(`{"ok":true,"result":[]}`))
		case "getMe":
			w.Write([]byte(`{"ok":true,"result":{"id":123,"is_bot":true,"first_name":"loanbot","username":"loanbot_test_bot"}}`))
		case "sendMessage":
			var m struct {
				ChatID json.Number `json:"chat_id"`
				Text   string      `json:"text"`
			}
			json.NewDecoder(r.Body).Decode(&m)
			sent = append(sent, m.ChatID.String()+": "+m.Text)
			w.Write([]byte(`{"ok":true,"result":{"message_id":2,"date":1,"chat":{"id":99,"type":"private"}}}`))
		default:
			w.Write([]byte(`{"ok":true,"result":true}`))
		}
	}))
	defer api.Close()
	t.Setenv("REDIS_URL", "")
	t.Setenv("TELEGRAM_BOT_TOKEN", "123:TEST")
	t.Setenv("TELEGRAM_API_URL", api.URL)
	_, errOut := serveInBackground(t) // stopped (SIGTERM) and checked when the test ends
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(sent)
		mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sent) == 0 || !strings.HasPrefix(sent[0], "99: ") || !strings.Contains(sent[0], "loanbot") {
		t.Errorf("sent %q; stderr %s", sent, errOut.String())
	}
}
