package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"path"
)

//go:embed static
var staticFS embed.FS

// pageCSP lets the page load only its own files: no inline script, nothing
// from another host, no framing (clickjacking).
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

type asset struct {
	body  []byte
	ctype string
	etag  string
}

var assets = func() map[string]asset {
	types := map[string]string{".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
		".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".webmanifest": "application/manifest+json"}
	out := map[string]asset{}
	ents, err := staticFS.ReadDir("static")
	if err != nil {
		panic(err)
	}
	for _, e := range ents {
		b, err := staticFS.ReadFile("static/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		out[e.Name()] = asset{body: b, ctype: types[path.Ext(e.Name())], etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	return out
}()

// page serves the chat page, and gives a new visitor their cookie (or
// renews a returning one's). New identities are counted per client address:
// past the budget the page is served with 429 and no cookie, and says to
// come back later.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", pageCSP)
	if id := s.user(r); id != "" {
		s.setCookie(w, r, id)
		serveAsset(w, r, "index.html", "no-cache")
		return
	}
	if !s.spend(w, r, s.newUsers) {
		a := assets["index.html"]
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write(a.body)
		return
	}
	s.setCookie(w, r, newID())
	serveAsset(w, r, "index.html", "no-cache")
}

// asset serves the page's script, style and icon.
func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if name == "index.html" {
		http.NotFound(w, r)
		return
	}
	serveAsset(w, r, name, "no-cache")
}

func serveAsset(w http.ResponseWriter, r *http.Request, name, cache string) {
	a, ok := assets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", cache)
	h.Set("ETag", a.etag)
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(a.body)
}
