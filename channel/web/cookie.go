package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// The user is anonymous: a random id in a cookie, signed so that nobody can
// pick another user's id. A cookie that does not verify is ignored and the
// browser gets a new id, and with it an empty conversation.

const (
	cookieName = "lb_uid"
	cookieAge  = 365 * 24 * time.Hour
	idBytes    = 16
)

var b64 = base64.RawURLEncoding

// sign returns the cookie value for id: "<id>.<HMAC-SHA256 of id>".
func (s *Server) sign(id string) string {
	return id + "." + b64.EncodeToString(s.mac(id))
}

func (s *Server) mac(id string) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("loanbot web user\x00"))
	m.Write([]byte(id))
	return m.Sum(nil)
}

// verify returns the id a cookie value carries, or "" when it was not
// signed with our secret.
func (s *Server) verify(v string) string {
	id, sig, ok := strings.Cut(v, ".")
	if !ok || len(id) != b64.EncodedLen(idBytes) {
		return ""
	}
	if _, err := b64.DecodeString(id); err != nil {
		return ""
	}
	got, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(id)) {
		return ""
	}
	return id
}

// user returns the id the request's cookie carries, or "" when it has no
// valid one. Only the page gives out identities (see page): the API never
// makes one, so a script without the page cannot fill Redis with users.
func (s *Server) user(r *http.Request) string {
	if c, err := r.Cookie(cookieName); err == nil {
		return s.verify(c.Value)
	}
	return ""
}

// newID is a random user id.
func newID() string {
	var b [idBytes]byte
	rand.Read(b[:])
	return b64.EncodeToString(b[:])
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, id string) {
	http.SetCookie(w, &http.Cookie{
		Name:     cookieName,
		Value:    s.sign(id),
		Path:     "/",
		MaxAge:   int(cookieAge / time.Second),
		HttpOnly: true,
		Secure:   isHTTPS(r),
		SameSite: http.SameSiteLaxMode,
	})
}

// isHTTPS: the request came over TLS, here or at the proxy in front.
func isHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	p, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(p), "https")
}
