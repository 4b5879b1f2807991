package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"loanbot/bot"
	"loanbot/i18n"
	"loanbot/store"
)

// defaultAPIURL is WeChat's API host.
const defaultAPIURL = "https://api.weixin.qq.com"

// secretStore is where the access_token is kept for every replica (*store.Store).
type secretStore interface {
	ChannelSecret(ctx context.Context, channel, name string) (store.Secret, bool, error)
	SetChannelSecret(ctx context.Context, channel, name, value string, ttl time.Duration) (store.Secret, error)
	DeleteSecretIf(ctx context.Context, channel, name string, sec store.Secret) error
	TryLock(ctx context.Context, channel, name string, ttl time.Duration) (unlock func(), ok bool, err error)
}

// apiError is an error code of WeChat's API.
type apiError struct {
	Code int
	Msg  string
}

func (e *apiError) Error() string { return fmt.Sprintf("wechat API errcode %d: %s", e.Code, e.Msg) }

// Error codes the adapter acts on.
const (
	codeBusy         = -1    // system busy: nothing was done, try again
	codeInvalidToken = 40001 // the token is not (or no longer) valid
	codeBadToken     = 40014
	codeTokenExpired = 42001
	codeUnfollowed   = 43004 // the user does not follow the account
	codeOutOfWindow  = 45015 // 48 hours since the user's last message
	codeOverQuota    = 45047 // customer-service quota spent
	codeBlocked      = 43019 // the user is in the account's blacklist
)

// errUncertain: the request may or may not have reached WeChat (a timeout
// after it was sent). Sending it again could show the message twice.
var errUncertain = errors.New("wechat: no answer from the API; the message may have been sent")

// API calls WeChat's server API with an access_token shared through Redis.
type API struct {
	base, appID, secret string
	client              *http.Client
	secrets             secretStore
	now                 func() time.Time
}

// NewAPI makes an API client for appID/secret on base (WECHAT_API_URL).
func NewAPI(base, appID, secret string, secrets secretStore, client *http.Client) *API {
	if base == "" {
		base = defaultAPIURL
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 32, IdleConnTimeout: 90 * time.Second}}
	}
	return &API{base: base, appID: appID, secret: secret, client: client, secrets: secrets, now: time.Now}
}

// tokenName is the token's key: one per account.
func (a *API) tokenName() string { return "access_token:" + a.appID }

// tokenMargin: a token is refreshed this long before WeChat says it expires.
const tokenMargin = 5 * time.Minute

// token returns the shared access_token, fetching one when there is none.
// One replica fetches at a time (each fetch invalidates the previous token
// a few minutes later); the others wait for its result.
func (a *API) token(ctx context.Context) (store.Secret, error) {
	for attempt := 0; ; attempt++ {
		sec, ok, err := a.secrets.ChannelSecret(ctx, "wx", a.tokenName())
		if err != nil {
			return store.Secret{}, err
		}
		if ok {
			return sec, nil
		}
		unlock, mine, err := a.secrets.TryLock(ctx, "wx", a.tokenName(), 15*time.Second)
		if err != nil {
			return store.Secret{}, err
		}
		if mine {
			defer unlock()
			// Someone may have put one there between our read and the lock.
			if sec, ok, err := a.secrets.ChannelSecret(ctx, "wx", a.tokenName()); err != nil || ok {
				return sec, err
			}
			return a.fetchToken(ctx)
		}
		if attempt >= 100 {
			return store.Secret{}, errors.New("wechat: waited too long for another replica's access_token")
		}
		select {
		case <-ctx.Done():
			return store.Secret{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (a *API) fetchToken(ctx context.Context) (store.Secret, error) {
	q := url.Values{"grant_type": {"client_credential"}, "appid": {a.appID}, "secret": {a.secret}}
	req, err := http.NewRequestWithContext(ctx, "GET", a.base+"/cgi-bin/token?"+q.Encode(), nil)
	if err != nil {
		return store.Secret{}, err
	}
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		ErrCode     int    `json:"errcode"`
		ErrMsg      string `json:"errmsg"`
	}
	if err := a.do(req, &out); err != nil {
		return store.Secret{}, fmt.Errorf("wechat access_token: %w", err)
	}
	if out.ErrCode != 0 || out.AccessToken == "" {
		return store.Secret{}, fmt.Errorf("wechat access_token (check WECHAT_APP_ID and WECHAT_APP_SECRET): %w", &apiError{out.ErrCode, out.ErrMsg})
	}
	ttl := time.Duration(out.ExpiresIn)*time.Second - tokenMargin
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return a.secrets.SetChannelSecret(ctx, "wx", a.tokenName(), out.AccessToken, ttl)
}

// post calls path with body as JSON and the access_token. A token WeChat
// refuses (40001, 40014, 42001: revoked by another fetch, or expired) is
// dropped from Redis, only if it is still the one there, and the call made
// once more with a fresh one. A timeout is errUncertain and not retried.
func (a *API) post(ctx context.Context, path string, body any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	_, err = a.call(ctx, path, nil, "application/json; charset=utf-8", data)
	return err
}

// result is what WeChat's API answers.
type result struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
	MediaID string `json:"media_id"`
}

// call posts body to path with the shared access_token (see post).
func (a *API) call(ctx context.Context, path string, query url.Values, contentType string, body []byte) (result, error) {
	for retry := 0; ; retry++ {
		tok, err := a.token(ctx)
		if err != nil {
			return result{}, err
		}
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("access_token", tok.Value)
		req, err := http.NewRequestWithContext(ctx, "POST", a.base+path+"?"+q.Encode(), bytes.NewReader(body))
		if err != nil {
			return result{}, err
		}
		req.Header.Set("Content-Type", contentType)
		var out result
		if err := a.do(req, &out); err != nil {
			return result{}, err
		}
		switch out.ErrCode {
		case 0:
			return out, nil
		case codeInvalidToken, codeBadToken, codeTokenExpired:
			if retry == 0 {
				if err := a.secrets.DeleteSecretIf(ctx, "wx", a.tokenName(), tok); err != nil {
					return result{}, err
				}
				continue
			}
		case codeBusy:
			if retry == 0 {
				select {
				case <-ctx.Done():
					return result{}, ctx.Err()
				case <-time.After(500 * time.Millisecond):
				}
				continue
			}
		}
		return out, &apiError{out.ErrCode, out.ErrMsg}
	}
}

// do sends req and decodes its JSON answer. An error after the request may
// have been written is errUncertain.
func (a *API) do(req *http.Request, out any) error {
	res, err := a.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && (ue.Timeout() || errors.Is(err, io.ErrUnexpectedEOF)) {
			return fmt.Errorf("%w: %v", errUncertain, err)
		}
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%w: %v", errUncertain, err)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("wechat API: HTTP %d", res.StatusCode)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("wechat API: %w", err)
	}
	return nil
}

// menuOf is the custom menu `loanbot wechat-menu` creates from the bot's
// commands: a button per menu group, and under it a CLICK per command whose
// key is the command without its "/" (WeChat: three buttons of five).
func menuOf(cmds []bot.CommandInfo) map[string]any {
	var groups []string
	subs := map[string][]map[string]string{}
	for _, c := range cmds {
		if c.Menu == "" {
			continue
		}
		if _, ok := subs[c.Menu]; !ok {
			groups = append(groups, c.Menu)
		}
		subs[c.Menu] = append(subs[c.Menu], map[string]string{"type": "click", "name": c.Description, "key": strings.TrimPrefix(c.Name, "/")})
	}
	var buttons []map[string]any
	for _, g := range groups {
		buttons = append(buttons, map[string]any{"name": g, "sub_button": subs[g]})
	}
	return map[string]any{"button": buttons}
}

// menuCommand is the command a menu CLICK's key runs, if the bot has it.
func (a *Adapter) menuCommand(key string) (string, bool) {
	for _, c := range a.eng.Commands(i18n.ZhHans) {
		if c.Name == "/"+key {
			return c.Name, true
		}
	}
	return "", false
}

// CreateMenu sets the account's custom menu to the bot's menu commands
// (bot.Engine.Commands, in the account's language).
func (a *API) CreateMenu(ctx context.Context, cmds []bot.CommandInfo) error {
	return a.post(ctx, "/cgi-bin/menu/create", menuOf(cmds))
}
