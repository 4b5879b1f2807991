package telegram

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// fakeAPI is a Bot API server: it queues updates for getUpdates, records
// what the bot sends, and can answer 429 to the next sendMessage calls.
type fakeAPI struct {
	*httptest.Server
	mu       sync.Mutex
	updates  []*models.Update
	nextID   int64
	sent     []sent
	calls    map[string]int
	tooMany  int       // answer the next n sendMessage calls with 429
	lastSend time.Time // when the last sendMessage was accepted
}

type sent struct {
	method string
	chat   string
	text   string
	markup models.InlineKeyboardMarkup
	at     time.Time
}

func newFakeAPI(t testing.TB) *fakeAPI {
	f := &fakeAPI{calls: map[string]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// fields reads a request as go-telegram/bot sends it (multipart/form-data)
// or as our getUpdates does (JSON).
func fields(r *http.Request) map[string]string {
	out := map[string]string{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if r.ParseMultipartForm(10<<20) != nil || r.MultipartForm == nil {
			return out
		}
		for k, v := range r.MultipartForm.Value {
			out[k] = v[0]
		}
		for k := range r.MultipartForm.File {
			out[k] = "<file>"
		}
		return out
	}
	var m map[string]json.RawMessage
	json.NewDecoder(r.Body).Decode(&m)
	for k, v := range m {
		var str string
		if json.Unmarshal(v, &str) == nil {
			out[k] = str
		} else {
			out[k] = string(v)
		}
	}
	return out
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(r.URL.Path, "/")
	method := parts[len(parts)-1]
	in := fields(r)
	f.mu.Lock()
	f.calls[method]++
	switch method {
	case "getUpdates":
		var off int64
		fmt.Sscan(in["offset"], &off)
		var out []*models.Update
		for _, u := range f.updates {
			if u.ID >= off {
				out = append(out, u)
			}
		}
		f.mu.Unlock()
		if len(out) == 0 {
			time.Sleep(20 * time.Millisecond)
		}
		writeOK(w, out)
		return
	case "sendMessage", "sendPhoto", "sendDocument":
		if method == "sendMessage" && f.tooMany > 0 {
			f.tooMany--
			f.mu.Unlock()
			w.Write([]byte(`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`))
			return
		}
		s := sent{method: method, chat: in["chat_id"], text: in["text"], at: time.Now()}
		json.Unmarshal([]byte(in["reply_markup"]), &s.markup)
		f.sent = append(f.sent, s)
		f.nextID++
		id := f.nextID
		f.mu.Unlock()
		writeOK(w, map[string]any{"message_id": id, "date": 0, "chat": map[string]any{"id": 1, "type": "private"}})
		return
	}
	f.mu.Unlock()
	if method == "getMe" {
		writeOK(w, map[string]any{"id": 123, "is_bot": true, "first_name": "loanbot", "username": "loanbot_test_bot"})
		return
	}
	writeOK(w, true)
}

func writeOK(w io.Writer, v any) {
	b, _ := json.Marshal(map[string]any{"ok": true, "result": v})
	w.Write(b)
}

// push queues an update for getUpdates.
func (f *fakeAPI) push(u *models.Update) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u.ID = int64(len(f.updates) + 1)
	f.updates = append(f.updates, u)
}

func (f *fakeAPI) sentCount() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.sent) }

func (f *fakeAPI) last() sent { f.mu.Lock(); defer f.mu.Unlock(); return f.sent[len(f.sent)-1] }

// waitSent waits until at least n messages were sent.
func (f *fakeAPI) waitSent(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for f.sentCount() < n {
		if time.Now().After(deadline) {
			t.Fatalf("waited for %d messages, got %d", n, f.sentCount())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// button finds the callback data of the button labelled label in the last
// message with a keyboard.
func (f *fakeAPI) button(t *testing.T, label string) string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.sent) - 1; i >= 0; i-- {
		for _, row := range f.sent[i].markup.InlineKeyboard {
			for _, b := range row {
				if b.Text == label {
					return b.CallbackData
				}
			}
		}
	}
	t.Fatalf("no button %q", label)
	return ""
}

func textUpdate(user int64, text string) *models.Update {
	return &models.Update{Message: &models.Message{ID: 1, Text: text, From: &models.User{ID: user, LanguageCode: "zh-hans"},
		Chat: models.Chat{ID: user, Type: models.ChatTypePrivate}}}
}

func tapUpdate(user int64, data string) *models.Update {
	return &models.Update{CallbackQuery: &models.CallbackQuery{ID: "cb", Data: data, From: models.User{ID: user},
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &models.Message{ID: 7, Date: 1700000000, Chat: models.Chat{ID: user, Type: models.ChatTypePrivate}}}}}
}
