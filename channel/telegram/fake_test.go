package telegram

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// fakeAPI is a Bot API server: it serves queued updates to getUpdates,
// records every call, and answers the message-sending methods with the
// failures it is told to, first.
type fakeAPI struct {
	*httptest.Server
	mu      sync.Mutex
	updates []tgUpdate
	polls   []poll // getUpdates calls, in order
	calls   []call
	sent    []call           // messages accepted (sendMessage, sendPhoto, sendDocument)
	fail    []string         // responses to give the next send attempts, in order
	onSend  func(c call)     // called for each accepted message, outside the lock
	lastID  int64            // message ids given out
	update  int64            // update ids given out
	byUser  map[string][]int // sent[] indexes by chat
}

type poll struct {
	offset int64
	at     time.Time
}

// call is one request as the fake read it.
type call struct {
	method string
	f      map[string]string
	id     int64 // message_id given to an accepted message
	at     time.Time
}

func (c call) chat() string { return c.f["chat_id"] }
func (c call) text() string {
	if c.method == "sendMessage" {
		return c.f["text"]
	}
	return c.f["caption"]
}

func (c call) keyboard() (kb models.InlineKeyboardMarkup) {
	json.Unmarshal([]byte(c.f["reply_markup"]), &kb)
	return kb
}

const (
	tooMany     = `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`
	forbidden   = `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`
	serverError = "500"
)

func newFakeAPI(t testing.TB) *fakeAPI {
	f := &fakeAPI{byUser: map[string][]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// fields reads a request as go-telegram/bot sends it (multipart/form-data)
// or as the adapter's own calls do (JSON).
func fields(r *http.Request) map[string]string {
	out := map[string]string{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if r.ParseMultipartForm(10<<20) != nil || r.MultipartForm == nil {
			return out
		}
		for k, v := range r.MultipartForm.Value {
			out[k] = v[0]
		}
		for k, fh := range r.MultipartForm.File {
			out[k] = "<file " + fh[0].Filename + ">"
		}
		return out
	}
	var m map[string]json.RawMessage
	json.NewDecoder(r.Body).Decode(&m)
	for k, v := range m {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = s
		} else {
			out[k] = string(v)
		}
	}
	return out
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	c := call{method: method, f: fields(r), at: time.Now()}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	switch method {
	case "getMe":
		f.mu.Unlock()
		writeOK(w, map[string]any{"id": 4242, "is_bot": true, "first_name": "loanbot", "username": "loanbot_test_bot"})
	case "getUpdates":
		var off int64
		fmt.Sscan(c.f["offset"], &off)
		f.polls = append(f.polls, poll{off, c.at})
		var out []tgUpdate
		for _, u := range f.updates {
			if u["update_id"].(int64) >= off {
				out = append(out, u)
			}
		}
		f.mu.Unlock()
		if len(out) == 0 {
			time.Sleep(10 * time.Millisecond) // a short "long poll"
		}
		writeOK(w, out)
	case "sendMessage", "sendPhoto", "sendDocument":
		if len(f.fail) > 0 {
			resp := f.fail[0]
			f.fail = f.fail[1:]
			f.mu.Unlock()
			if resp == serverError {
				http.Error(w, "bad gateway", http.StatusBadGateway)
				return
			}
			w.Write([]byte(resp))
			return
		}
		f.lastID++
		c.id = f.lastID
		f.sent = append(f.sent, c)
		f.byUser[c.chat()] = append(f.byUser[c.chat()], len(f.sent)-1)
		on := f.onSend
		f.mu.Unlock()
		if on != nil {
			on(c)
		}
		writeOK(w, map[string]any{"message_id": c.id, "date": 1700000000, "chat": map[string]any{"id": 1, "type": "private"}})
	default:
		f.mu.Unlock()
		writeOK(w, true)
	}
}

func writeOK(w io.Writer, v any) {
	b, _ := json.Marshal(map[string]any{"ok": true, "result": v})
	w.Write(b)
}

// push queues an update for getUpdates, giving it the next update id.
func (f *fakeAPI) push(u tgUpdate) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.update++
	u["update_id"] = f.update
	f.updates = append(f.updates, u)
	return f.update
}

func (f *fakeAPI) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c.method == method {
			n++
		}
	}
	return n
}

func (f *fakeAPI) callsOf(method string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.method == method {
			out = append(out, c)
		}
	}
	return out
}

// sentTo lists the messages a chat got.
func (f *fakeAPI) sentTo(chat int64) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, i := range f.byUser[fmt.Sprint(chat)] {
		out = append(out, f.sent[i])
	}
	return out
}

// last is the last message a chat got.
func (f *fakeAPI) last(t *testing.T, chat int64) call {
	t.Helper()
	s := f.sentTo(chat)
	if len(s) == 0 {
		t.Fatalf("chat %d got nothing", chat)
	}
	return s[len(s)-1]
}

// waitSent waits until chat got at least n messages.
func (f *fakeAPI) waitSent(t *testing.T, chat int64, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(f.sentTo(chat)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("chat %d: waited for %d messages, got %d", chat, n, len(f.sentTo(chat)))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// button finds, in the chat's latest message with a keyboard, the button
// labelled label: its callback data and the message that carries it.
func (f *fakeAPI) button(t *testing.T, chat int64, label string) (data string, message int64) {
	t.Helper()
	s := f.sentTo(chat)
	for i := len(s) - 1; i >= 0; i-- {
		kb := s[i].keyboard()
		if len(kb.InlineKeyboard) == 0 {
			continue
		}
		var labels []string
		for _, row := range kb.InlineKeyboard {
			for _, b := range row {
				if b.Text == label {
					return b.CallbackData, s[i].id
				}
				labels = append(labels, b.Text)
			}
		}
		t.Fatalf("chat %d: no button %q in the last keyboard %q", chat, label, labels)
	}
	t.Fatalf("chat %d: no keyboard", chat)
	return "", 0
}

// newUser returns a Telegram user id no other test run uses (the real Redis
// outlives test runs).
func newUser() int64 { return 1_000_000_000 + rand.Int64N(1_000_000_000_000) }

// Updates are built as Telegram writes them (not with go-telegram's models,
// whose callback message does not marshal back to the wire format).
type tgUpdate = map[string]any

func textUpdate(user int64, text string) tgUpdate {
	return tgUpdate{"message": tgUpdate{"message_id": rand.Int32(), "date": 1700000000, "text": text,
		"from": tgUpdate{"id": user, "is_bot": false, "first_name": "u", "language_code": "zh-hans"},
		"chat": tgUpdate{"id": user, "type": "private"}}}
}

func tapUpdate(user int64, data string, message int64) tgUpdate {
	return tgUpdate{"callback_query": tgUpdate{"id": fmt.Sprint("cb", rand.Int64()), "data": data, "chat_instance": "1",
		"from":    tgUpdate{"id": user, "is_bot": false, "first_name": "u", "language_code": "zh-hans"},
		"message": tgUpdate{"message_id": message, "date": 1700000000, "chat": tgUpdate{"id": user, "type": "private"}}}}
}

func groupUpdate(member, group int64, text string) tgUpdate {
	return tgUpdate{"message": tgUpdate{"message_id": rand.Int32(), "date": 1700000000, "text": text,
		"from": tgUpdate{"id": member, "is_bot": false, "first_name": "m", "language_code": "zh-hans"},
		"chat": tgUpdate{"id": group, "type": "supergroup", "title": "债务互助"}}}
}
