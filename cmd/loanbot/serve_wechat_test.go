package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"loanbot/channel/wechat"
)

const (
	wxToken = "serve-test-token"
	wxKey   = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
)

// fakeWeChatAPI answers access_token and records the other calls.
func fakeWeChatAPI(t *testing.T) (*httptest.Server, func() []string) {
	var mu sync.Mutex
	var calls []string
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == "/cgi-bin/token" {
			fmt.Fprint(w, `{"access_token":"T1","expires_in":7200}`)
			return
		}
		b, _ := io.ReadAll(r.Body)
		calls = append(calls, r.URL.Path+" "+string(b))
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	t.Cleanup(s.Close)
	return s, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), calls...) }
}

// TestServeAnswersWeChatInSafeMode: `loanbot serve` with WECHAT_* set
// answers a signed, encrypted message at /wechat with an encrypted reply.
func TestServeAnswersWeChatInSafeMode(t *testing.T) {
	api, _ := fakeWeChatAPI(t)
	t.Setenv("REDIS_URL", "")
	t.Setenv("WECHAT_TOKEN", wxToken)
	t.Setenv("WECHAT_AES_KEY", wxKey)
	t.Setenv("WECHAT_APP_ID", "wxserve")
	t.Setenv("WECHAT_APP_SECRET", "s")
	t.Setenv("WECHAT_API_URL", api.URL)
	base, errOut := serveInBackground(t)
	if !strings.Contains(errOut.String(), "/wechat") {
		t.Errorf("stderr: %s", errOut.String())
	}
	c, err := wechat.NewCipher(wxKey, "wxserve")
	if err != nil {
		t.Fatal(err)
	}
	msg := fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[oServe1]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[微粒贷逾期会被起诉吗]]></Content><MsgId>1234567890123456789</MsgId></xml>`, time.Now().Unix())
	enc, _ := c.Encrypt([]byte(msg))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	q := url.Values{"timestamp": {ts}, "nonce": {"42"}, "encrypt_type": {"aes"}, "msg_signature": {wechat.Signature(wxToken, ts, "42", enc)}}
	res, err := http.Post(base+"/wechat?"+q.Encode(), "text/xml", strings.NewReader("<xml><Encrypt><![CDATA["+enc+"]]></Encrypt></xml>"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var env struct{ Encrypt, MsgSignature, TimeStamp, Nonce string }
	if err := xml.NewDecoder(res.Body).Decode(&env); err != nil {
		t.Fatalf("status %d: %v", res.StatusCode, err)
	}
	plain, err := c.Decrypt(env.Encrypt)
	if err != nil || !wechat.VerifySignature(env.MsgSignature, wxToken, env.TimeStamp, env.Nonce, env.Encrypt) {
		t.Fatalf("reply: %v", err)
	}
	if !strings.Contains(string(plain), "起诉") || !strings.Contains(string(plain), "回复 1：") {
		t.Errorf("reply: %s", plain)
	}
}

func TestWechatMenuCommand(t *testing.T) {
	api, calls := fakeWeChatAPI(t)
	t.Setenv("REDIS_URL", "")
	t.Setenv("WECHAT_APP_ID", "wxmenu")
	t.Setenv("WECHAT_APP_SECRET", "s")
	t.Setenv("WECHAT_API_URL", api.URL)
	out, errOut, code := loanbot(t, "", "wechat-menu")
	if code != 0 || !strings.Contains(out, "menu created") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	got := calls()
	if len(got) != 1 || !strings.HasPrefix(got[0], "/cgi-bin/menu/create ") || !strings.Contains(got[0], "协商还款") || !strings.Contains(got[0], `"key":"prep"`) {
		t.Errorf("calls: %q", got)
	}
	t.Setenv("WECHAT_APP_SECRET", "")
	if _, errOut, code := loanbot(t, "", "wechat-menu"); code != 1 || !strings.Contains(errOut, "WECHAT_APP_SECRET") {
		t.Errorf("without the secret: exit %d: %s", code, errOut)
	}
}

func TestBadWeChatConfigurationIsNamed(t *testing.T) {
	t.Setenv("REDIS_URL", "")
	t.Setenv("WECHAT_TOKEN", "x")
	t.Setenv("WECHAT_AES_KEY", "tooshort")
	if _, errOut, code := loanbot(t, "", "serve"); code != 1 || !strings.Contains(errOut, "WECHAT_AES_KEY") {
		t.Errorf("exit %d: %q", code, errOut)
	}
}
