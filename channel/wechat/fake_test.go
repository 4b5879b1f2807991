package wechat

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeAPI is WeChat's server API: access_token (each fetch revokes the
// tokens before it, as WeChat does a few minutes later), customer-service
// and template messages, the menu. It answers sends with the error codes it
// is told to, first.
type fakeAPI struct {
	*httptest.Server
	mu        sync.Mutex
	tokens    []string // issued; only the last is valid
	fetches   int
	sent      []sentMsg
	templates []sentMsg
	menus     []string
	uploads   []string         // name:bytes
	fail      []int            // errcodes for the next sends, in order
	onSend    func(tok string) // called before a send is answered, outside the lock
}

type sentMsg struct{ to, text, token string }

func newFakeAPI(t *testing.T) *fakeAPI {
	f := &fakeAPI{}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("access_token")
	if r.URL.Path == "/cgi-bin/token" {
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.URL.Query().Get("secret") != "app-secret" {
			fmt.Fprint(w, `{"errcode":40125,"errmsg":"invalid appsecret"}`)
			return
		}
		f.fetches++
		nt := fmt.Sprintf("TOKEN-%d", f.fetches)
		f.tokens = append(f.tokens, nt)
		fmt.Fprintf(w, `{"access_token":%q,"expires_in":7200}`, nt)
		return
	}
	f.mu.Lock()
	onSend := f.onSend
	f.mu.Unlock()
	if onSend != nil {
		onSend(tok)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.tokens) == 0 || tok != f.tokens[len(f.tokens)-1] {
		fmt.Fprint(w, `{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest"}`)
		return
	}
	if r.URL.Path == "/cgi-bin/media/upload" {
		file, hdr, err := r.FormFile("media")
		if err != nil || r.URL.Query().Get("type") != "image" {
			fmt.Fprint(w, `{"errcode":40004,"errmsg":"invalid media type"}`)
			return
		}
		n, _ := io.Copy(io.Discard, file)
		f.uploads = append(f.uploads, fmt.Sprintf("%s:%d", hdr.Filename, n))
		fmt.Fprintf(w, `{"type":"image","media_id":"MEDIA-%d","created_at":1}`, len(f.uploads))
		return
	}
	var body struct {
		ToUser string `json:"touser"`
		Image  struct {
			MediaID string `json:"media_id"`
		} `json:"image"`
		Text struct {
			Content string `json:"content"`
		} `json:"text"`
		Data map[string]struct {
			Value string `json:"value"`
		} `json:"data"`
	}
	var raw json.RawMessage
	json.NewDecoder(r.Body).Decode(&raw)
	json.Unmarshal(raw, &body)
	if len(f.fail) > 0 && r.URL.Path != "/cgi-bin/menu/create" {
		code := f.fail[0]
		f.fail = f.fail[1:]
		fmt.Fprintf(w, `{"errcode":%d,"errmsg":"fake"}`, code)
		return
	}
	switch r.URL.Path {
	case "/cgi-bin/message/custom/send":
		text := body.Text.Content
		if body.Image.MediaID != "" {
			text = "[image " + body.Image.MediaID + "]"
		}
		f.sent = append(f.sent, sentMsg{body.ToUser, text, tok})
	case "/cgi-bin/message/template/send":
		f.templates = append(f.templates, sentMsg{body.ToUser, body.Data["first"].Value, tok})
	case "/cgi-bin/menu/create":
		f.menus = append(f.menus, string(raw))
	default:
		http.NotFound(w, r)
		return
	}
	fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
}

func (f *fakeAPI) sentTo(openid string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, m := range f.sent {
		if m.to == openid {
			out = append(out, m.text)
		}
	}
	return out
}

func (f *fakeAPI) counts() (fetches, sent, templates int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches, len(f.sent), len(f.templates)
}

func (f *fakeAPI) setOnSend(fn func(tok string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onSend = fn
}

func (f *fakeAPI) failNext(codes ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = append(f.fail, codes...)
}

// joined is every text sent to openid, for a test's message.
func (f *fakeAPI) joined(openid string) string { return strings.Join(f.sentTo(openid), "\n---\n") }
