package web

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// The event stream carries what the user did not ask for just now:
// reminders, and answers too slow for their request. A page holds one
// stream (EventSource reconnects by itself); a message for a user whose
// page is open on another replica goes through the outbox and a Pub/Sub
// notice that makes that replica send it.

// perUserStreams bounds the pages (tabs) of one user with a stream open in
// one process; a new one closes the oldest.
const perUserStreams = 4

type stream struct {
	ch      chan []view
	gone    chan struct{} // closed when the hub drops the stream
	once    sync.Once
	addr    string
	removed bool // its address was counted down (under the hub's lock)
}

func (st *stream) drop() { st.once.Do(func() { close(st.gone) }) }

type hub struct {
	mu      sync.Mutex
	users   map[string][]*stream
	addrs   map[string]int // open streams per client address (/64 for IPv6)
	n       int
	max     int
	perAddr int
}

func newHub(max, perAddr int) *hub {
	return &hub{users: map[string][]*stream{}, addrs: map[string]int{}, max: max, perAddr: perAddr}
}

// Why add refused a stream.
const (
	refusedBusy = "busy" // the process holds as many as it may
	refusedAddr = "addr" // the address holds as many as it may
)

// add opens a stream for user from addr, or says why not.
func (h *hub) add(user, addr string) (*stream, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.perAddr > 0 && h.addrs[addr] >= h.perAddr {
		return nil, refusedAddr
	}
	ss := h.users[user]
	if len(ss) >= perUserStreams {
		ss[0].drop()
		ss = ss[1:]
		h.n--
	}
	if h.n >= h.max {
		h.users[user] = ss
		return nil, refusedBusy
	}
	st := &stream{ch: make(chan []view, 16), gone: make(chan struct{}), addr: addr}
	h.users[user] = append(ss, st)
	h.n++
	h.addrs[addr]++
	return st, ""
}

func (h *hub) remove(user string, st *stream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !st.removed {
		st.removed = true
		if h.addrs[st.addr]--; h.addrs[st.addr] <= 0 {
			delete(h.addrs, st.addr)
		}
	}
	ss := h.users[user]
	for i, x := range ss {
		if x == st {
			ss = append(ss[:i:i], ss[i+1:]...)
			h.n--
			break
		}
	}
	if len(ss) == 0 {
		delete(h.users, user)
	} else {
		h.users[user] = ss
	}
	st.drop()
}

// push hands vs to every open stream of user; false when none took them.
func (h *hub) push(user string, vs []view) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	ok := false
	for _, st := range h.users[user] {
		select {
		case st.ch <- vs:
			ok = true
		default: // a stuck page; the message is in its history
		}
	}
	return ok
}

func (h *hub) has(user string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.users[user]) > 0
}

func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ss := range h.users {
		for _, st := range ss {
			st.drop()
		}
	}
}

// events handles GET /api/events.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	if crossSite(r) {
		apiError(w, http.StatusForbidden, "cross_origin")
		return
	}
	if s.ctx.Err() != nil {
		apiError(w, http.StatusServiceUnavailable, "closing")
		return
	}
	// A stream only for a page that has its cookie (GET / sets it): the
	// stream never makes a new identity.
	id := s.user(r)
	if id == "" {
		apiError(w, http.StatusUnauthorized, "no_session")
		return
	}
	user := Channel + ":" + id
	// Nor for an identity that never sent a message: there is nothing to
	// deliver to it, and a script that only fetched cookies holds no stream.
	if has, err := s.st.HasHistory(r.Context(), user); err != nil {
		apiError(w, http.StatusServiceUnavailable, "unavailable")
		return
	} else if !has {
		apiError(w, http.StatusForbidden, "no_conversation")
		return
	}
	st, why := s.hub.add(user, s.clientAddr(r))
	switch why {
	case refusedAddr:
		w.Header().Set("Retry-After", "30")
		apiError(w, http.StatusTooManyRequests, "too_many_streams")
		return
	case refusedBusy:
		w.Header().Set("Retry-After", "30")
		apiError(w, http.StatusServiceUnavailable, "busy")
		return
	}
	defer s.hub.remove(user, st)
	// Subscribed before the preamble goes out: a page that has the
	// preamble also gets what other replicas send it.
	s.subscribe()

	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not hold events back
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("retry: 3000\n\n"))
	if err := rc.Flush(); err != nil {
		return
	}
	// What came while no page was open (or while this one reconnected).
	if away, err := s.st.DrainOutbox(r.Context(), user); err == nil && len(away) > 0 {
		vs := views(decode(away))
		for i := range vs {
			vs[i].Away = true
		}
		st.ch <- vs
	}
	beat := time.NewTicker(s.heartbeat)
	defer beat.Stop()
	for {
		select {
		case vs := <-st.ch:
			for _, v := range vs {
				data, _ := json.Marshal(v)
				w.Write([]byte("event: message\ndata: "))
				w.Write(data)
				w.Write([]byte("\n\n"))
			}
		case <-beat.C:
			w.Write([]byte(": keep-alive\n\n"))
		case <-st.gone:
			return
		case <-s.ctx.Done():
			return
		case <-r.Context().Done():
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// subscribe starts, once, listening for other replicas' notices that a
// user of an open page here has something in their outbox.
func (s *Server) subscribe() {
	s.subOne.Do(func() {
		notices := s.st.Notices(s.ctx, Channel)
		go func() {
			for user := range notices {
				if !s.hub.has(user) {
					continue
				}
				ms, err := s.st.DrainOutbox(s.ctx, user)
				if err != nil || len(ms) == 0 {
					continue
				}
				if !s.hub.push(user, views(decode(ms))) {
					s.st.PushOutbox(s.ctx, user, ms) // the page closed meanwhile
				}
			}
		}()
	})
}
