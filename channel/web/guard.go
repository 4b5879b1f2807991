package web

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxBody is the largest request body the API reads.
const maxBody = 64 << 10

// crossSite reports whether a request to the API comes from another site's
// page. Browsers say so in Sec-Fetch-Site and, on a POST, in Origin; a
// request with neither is not from a browser page (no cookie of a victim
// rides on it), and a page on another site cannot send a JSON body without
// a CORS preflight, which is never answered.
func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default: // "cross-site", "same-site"
		return true
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return false
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" {
		return true // "null" (a sandboxed frame, a file) or garbage
	}
	// A page over plain http is another origin than the https site, and
	// anyone on the path can write it. (A request that reached us over
	// http may still come from the https page: a proxy that ends TLS
	// without saying X-Forwarded-Proto.)
	if !strings.EqualFold(u.Scheme, "https") && (isHTTPS(r) || !strings.EqualFold(u.Scheme, "http")) {
		return true
	}
	for _, h := range []string{r.Host, r.Header.Get("X-Forwarded-Host")} {
		if h != "" && strings.EqualFold(u.Host, h) {
			return false
		}
	}
	return true
}

// isJSON: the request says its body is JSON.
func isJSON(r *http.Request) bool {
	t, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && t == "application/json"
}

// clientAddr is the address the per-address limit counts: the connection's
// peer, or, when that is a trusted proxy, the nearest address in
// X-Forwarded-For that is not one. IPv6 clients are counted per /64, the
// block one subscriber usually holds.
func (s *Server) clientAddr(r *http.Request) string {
	a := peer(r.RemoteAddr)
	if a.IsValid() && s.trusted(a) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			a = h.Unmap()
			if !s.trusted(a) {
				break
			}
		}
	}
	if !a.IsValid() {
		return r.RemoteAddr
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func peer(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// langHint is the browser's first language (Accept-Language), e.g. "zh-CN".
func langHint(r *http.Request) string {
	first, _, _ := strings.Cut(r.Header.Get("Accept-Language"), ",")
	tag, _, _ := strings.Cut(first, ";")
	tag = strings.TrimSpace(tag)
	if len(tag) > 35 {
		return ""
	}
	return tag
}

// budget is what one client address may do in a fixed window, counted in
// Redis under name + the address (n = 0: no bound).
type budget struct {
	n      int64
	window time.Duration
	name   string
}

func newBudget(name string, n int, window time.Duration) (budget, error) {
	if n > 0 && window <= 0 {
		return budget{}, fmt.Errorf("web: a budget of %d without a window", n)
	}
	return budget{int64(n), window, name}, nil
}

// spend counts the request against its address's budget b: false, with
// Retry-After set, when the address has spent it. With Redis down the
// request goes on (the engine says so; nothing can be kept anyway).
func (s *Server) spend(w http.ResponseWriter, r *http.Request, b budget) bool {
	if b.n <= 0 {
		return true
	}
	n, err := s.st.Count(r.Context(), Channel, b.name+s.clientAddr(r), b.window)
	if err != nil {
		s.log.Warn("web: address budget", "err", err)
		return true
	}
	if n > b.n {
		w.Header().Set("Retry-After", strconv.Itoa(int(b.window/time.Second)+1))
		return false
	}
	return true
}
