package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"loanbot/bot"
	"loanbot/channel/internal/await"
	"loanbot/msg"
	"loanbot/store"
	"loanbot/zhtext"
)

// entry is one message of a conversation as the history keeps it.
type entry struct {
	ID      string         `json:"id"`
	From    string         `json:"from"` // "user" or "bot"
	Text    string         `json:"text,omitempty"`
	Buttons [][]msg.Button `json:"buttons,omitempty"`
	Image   *file          `json:"image,omitempty"`
	Doc     *file          `json:"doc,omitempty"`
	At      int64          `json:"at"`             // ms
	Push    bool           `json:"push,omitempty"` // not an answer to the user's last message (a reminder)
}

type file struct {
	Name    string `json:"name"`
	MIME    string `json:"mime"`
	Data    []byte `json:"data"`
	Caption string `json:"caption,omitempty"`
}

// view is a message as the page gets it: files as URLs.
type view struct {
	ID      string         `json:"id"`
	From    string         `json:"from"`
	Text    string         `json:"text,omitempty"`
	Buttons [][]msg.Button `json:"buttons,omitempty"`
	Image   string         `json:"image,omitempty"`
	Alt     string         `json:"alt,omitempty"`
	Doc     string         `json:"doc,omitempty"`
	DocName string         `json:"docName,omitempty"`
	At      int64          `json:"at"`
	Push    bool           `json:"push,omitempty"`
	Away    bool           `json:"away,omitempty"` // kept while no page was open
}

func (e *entry) view() view {
	v := view{ID: e.ID, From: e.From, Text: e.Text, Buttons: e.Buttons, At: e.At, Push: e.Push}
	if e.Image != nil {
		v.Image = "/api/file/" + e.ID + "/image"
		v.Alt = e.Image.Caption
	}
	if e.Doc != nil {
		v.Doc = "/api/file/" + e.ID + "/doc"
		v.DocName = e.Doc.Name
	}
	return v
}

func attach(a *msg.Attachment) *file {
	if a == nil {
		return nil
	}
	return &file{Name: a.Name, MIME: a.MIME, Data: a.Data, Caption: a.Caption}
}

// botEntries turns replies into history entries with ids "<base>.<n>".
func botEntries(base string, reps []bot.Reply, at time.Time, push bool) []entry {
	out := make([]entry, 0, len(reps))
	for i, r := range reps {
		out = append(out, entry{ID: base + "." + strconv.Itoa(i), From: "bot", Text: r.Text, Buttons: r.Buttons,
			Image: attach(r.Image), Doc: attach(r.Document), At: at.UnixMilli(), Push: push})
	}
	return out
}

func encode(es []entry) []store.Message {
	out := make([]store.Message, 0, len(es))
	for i := range es {
		data, _ := json.Marshal(&es[i])
		out = append(out, store.Message{ID: es[i].ID, Data: data})
	}
	return out
}

func decode(ms []store.Message) []entry {
	out := make([]entry, 0, len(ms))
	for _, m := range ms {
		var e entry
		if json.Unmarshal(m.Data, &e) == nil {
			out = append(out, e)
		}
	}
	return out
}

func views(es []entry) []view {
	out := make([]view, len(es))
	for i := range es {
		out[i] = es[i].view()
	}
	return out
}

// request is what the page posts: a typed text, or a tapped button's
// payload with its label (shown as the user's message).
type request struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Payload string `json:"payload"`
	Label   string `json:"label"`
	// Silent: the page's own "/start" on a first visit, which the user did
	// not type and does not see.
	Silent bool `json:"silent"`
}

// answer is the reply to a posted message.
type answer struct {
	Messages []view `json:"messages"`
	Lang     string `json:"lang,omitempty"`
	Pending  bool   `json:"pending,omitempty"` // the reply will come through the event stream
}

// youngEntries: a history this long after a user's message holds nothing
// but the welcome and that message.
const youngEntries = 3

const (
	maxText    = 4096 // runes kept of a typed message (the engine reads no more)
	maxPayload = 256
	maxLabel   = 200
)

func validID(id string) bool {
	if len(id) < 8 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// message handles POST /api/message: the message is read, its sender
// admitted, the message kept, and the engine's answer awaited.
func (s *Server) message(w http.ResponseWriter, r *http.Request) {
	req, ok := decodeMessage(w, r)
	if !ok {
		return
	}
	id, ok := s.admit(w, r)
	if !ok {
		return
	}
	s.await(w, r, s.keepMessage(r, id, req))
}

// decodeMessage reads and checks the posted message, or answers why not.
func decodeMessage(w http.ResponseWriter, r *http.Request) (request, bool) {
	var req request
	if crossSite(r) {
		apiError(w, http.StatusForbidden, "cross_origin")
		return req, false
	}
	if !isJSON(r) {
		apiError(w, http.StatusUnsupportedMediaType, "json_only")
		return req, false
	}
	if r.ContentLength > maxBody {
		apiError(w, http.StatusRequestEntityTooLarge, "too_large")
		return req, false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			apiError(w, http.StatusRequestEntityTooLarge, "too_large")
			return req, false
		}
		apiError(w, http.StatusBadRequest, "bad_json")
		return req, false
	}
	req.Text = strings.TrimSpace(req.Text)
	switch {
	case !validID(req.ID):
		apiError(w, http.StatusBadRequest, "bad_id")
		return req, false
	case req.Payload == "" && req.Text == "",
		len(req.Payload) > maxPayload || !utf8.ValidString(req.Payload) || !utf8.ValidString(req.Text),
		req.Silent && req.Text != "/start":
		apiError(w, http.StatusBadRequest, "bad_message")
		return req, false
	}
	return req, true
}

// admit lets the message in: within its address's budget, from a page that
// has its identity, while the server is not closing. It returns the
// identity; admitted, the message counts as work that Close waits for, and
// the caller must see it end (await does).
func (s *Server) admit(w http.ResponseWriter, r *http.Request) (string, bool) {
	if !s.spend(w, r, s.messages) {
		apiError(w, http.StatusTooManyRequests, "rate_limited")
		return "", false
	}
	id := s.user(r)
	if id == "" {
		// No identity: the page (GET /) gives one; the page's script fetches
		// it and sends again.
		apiError(w, http.StatusUnauthorized, "no_session")
		return "", false
	}
	if !s.begin() {
		apiError(w, http.StatusServiceUnavailable, "closing")
		return "", false
	}
	return id, true
}

// turn is one message on its way through the engine.
type turn struct {
	user      string // "web:<id>"
	in        bot.Inbound
	id        string // the message's id: its replies are "<id>.<n>"
	silent    bool   // the page's own /start, not in the history
	after     string // the history entry the replies follow ("" for none)
	shownKept bool   // the user's message is in the history
	// young: the identity has not gone past its first message (the history
	// holds at most the welcome and this one), so what it leaves in Redis
	// is kept briefly; its next message keeps everything for as long as any
	// conversation.
	young bool
}

// keepMessage turns the request into the engine's input and puts the
// user's message, as shown on the page, in the history.
func (s *Server) keepMessage(r *http.Request, id string, req request) *turn {
	t := &turn{user: Channel + ":" + id, id: req.ID, silent: req.Silent, after: req.ID,
		in: bot.Inbound{Channel: Channel, UserID: id, ChatID: id, LangHint: langHint(r), MessageID: req.ID}}
	shown := entry{ID: req.ID, From: "user", At: time.Now().UnixMilli()}
	if req.Payload != "" {
		t.in.Payload = req.Payload
		shown.Text = zhtext.Truncate(strings.TrimSpace(req.Label), maxLabel)
		if shown.Text == "" {
			shown.Text = req.Payload
		}
	} else {
		t.in.Text = req.Text
		shown.Text = zhtext.Truncate(req.Text, maxText)
	}
	if req.Silent {
		t.after = ""
	} else if n, err := s.st.AppendHistory(r.Context(), t.user, "", encode([]entry{shown}), s.historyMax, s.historyBytes); err != nil {
		// Keep going: the engine answers (it may say to resend); the
		// replies then have no message to follow and are not kept.
		s.log.Warn("web: keep message", "err", err)
	} else {
		t.shownKept = true
		t.young = n <= youngEntries
	}
	return t
}

// replies is the engine's answer to a turn, kept in the history.
type replies struct {
	es   []entry
	kept bool // in the history (false: the user was deleted meanwhile: /forget)
	gone bool // the user's message was kept, and is no more: /forget
}

// handle runs the engine on the turn and keeps its replies.
func (s *Server) handle(ctx context.Context, t *turn) replies {
	reps, err := s.eng.Handle(ctx, t.in)
	if err != nil {
		s.log.Warn("web: handle", "err", err)
	}
	res := replies{es: botEntries(t.id, reps, time.Now(), false)}
	young := t.young
	if len(res.es) > 0 {
		n, err := s.st.AppendHistory(ctx, t.user, t.after, encode(res.es), s.historyMax, s.historyBytes)
		if err != nil {
			s.log.Warn("web: keep replies", "err", err)
		}
		res.kept = n > 0
		res.gone = err == nil && !res.kept && t.shownKept
		if t.silent {
			young = res.kept && n <= youngEntries
		}
	}
	if young {
		if err := s.st.KeepBriefly(ctx, t.user, s.briefly); err != nil {
			s.log.Warn("web: brief life", "err", err)
		}
	}
	return res
}

// await answers the request with the engine's replies when they come
// within replyTimeout. The engine runs apart from the request: a browser
// that goes away does not cut a message in half, and a slow answer still
// arrives, through the event stream.
func (s *Server) await(w http.ResponseWriter, r *http.Request, t *turn) {
	ctx := context.WithoutCancel(r.Context())
	res, o := await.Do(r.Context(), s.replyTimeout,
		func() replies { return s.handle(ctx, t) },
		func(res replies, o await.Outcome) {
			defer s.work.Done()
			// Gone: the replies are in the history for the next visit.
			if o == await.TimedOut && res.kept {
				ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				s.deliver(ctx, t.user, res.es)
			}
		})
	switch o {
	case await.InTime:
		s.work.Done() // the late callback, the other end of admit's begin, will not run
		if res.gone {
			// The user's history went away under this message: /forget.
			// The page goes on as someone new, with an id that nothing
			// links to the deleted one.
			s.setCookie(w, r, newID())
		}
		writeJSON(w, http.StatusOK, answer{Messages: views(res.es), Lang: langOf(res.es)})
		s.sent(len(res.es), "ok")
	case await.TimedOut:
		// Too slow for this request: the page keeps its typing indicator
		// until the answer comes through the stream (or the next visit).
		writeJSON(w, http.StatusAccepted, answer{Messages: []view{}, Pending: true})
	}
}

// history handles GET /api/history: the kept conversation, the messages
// that came while no page was open marked "away".
func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	if crossSite(r) {
		apiError(w, http.StatusForbidden, "cross_origin")
		return
	}
	id := s.user(r)
	if id == "" { // not given by the page (yet): nothing to show
		writeJSON(w, http.StatusOK, answer{Messages: []view{}})
		return
	}
	user := Channel + ":" + id
	ms, err := s.st.History(r.Context(), user)
	if err != nil {
		s.log.Warn("web: history", "err", err)
		apiError(w, http.StatusServiceUnavailable, "unavailable")
		return
	}
	es := decode(ms)
	away, err := s.st.DrainOutbox(r.Context(), user)
	if err != nil {
		s.log.Warn("web: outbox", "err", err)
	}
	vs := views(es)
	at := make(map[string]int, len(vs))
	for i, v := range vs {
		at[v.ID] = i
	}
	for _, e := range decode(away) {
		if i, ok := at[e.ID]; ok {
			vs[i].Away = true
			continue
		}
		v := e.view()
		v.Away = true
		vs = append(vs, v)
	}
	writeJSON(w, http.StatusOK, answer{Messages: vs, Lang: langOf(es)})
}

// file handles GET /api/file/{id}/{kind}: the image or document of one of
// the user's own messages.
func (s *Server) file(w http.ResponseWriter, r *http.Request) {
	if crossSite(r) {
		apiError(w, http.StatusForbidden, "cross_origin")
		return
	}
	id, kind := r.PathValue("id"), r.PathValue("kind")
	uid := s.user(r)
	if uid == "" {
		apiError(w, http.StatusNotFound, "not_found")
		return
	}
	user := Channel + ":" + uid
	ms, err := s.st.History(r.Context(), user)
	if err != nil {
		apiError(w, http.StatusServiceUnavailable, "unavailable")
		return
	}
	for _, m := range ms {
		if m.ID != id {
			continue
		}
		es := decode([]store.Message{m})
		if len(es) == 0 {
			break
		}
		f := es[0].Image
		if kind == "doc" {
			f = es[0].Doc
		} else if kind != "image" {
			break
		}
		if f == nil {
			break
		}
		h := w.Header()
		switch f.MIME {
		case "image/png", "image/jpeg", "image/gif", "image/webp":
			h.Set("Content-Type", f.MIME)
		default: // never render what could run script (SVG, HTML) on our origin
			h.Set("Content-Type", "application/octet-stream")
			h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+urlPathEscape(f.Name))
		}
		if kind == "doc" {
			h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+urlPathEscape(f.Name))
		}
		h.Set("Cache-Control", "private, no-store") // a user's plan: kept by no cache
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
		w.Write(f.Data)
		return
	}
	apiError(w, http.StatusNotFound, "not_found")
}

// Send delivers replies the user did not ask for just now (reminders) to
// the web user userID: to their open page, else kept for their next visit
// (msg.ErrDeferred). Either way they join the history.
func (s *Server) Send(ctx context.Context, userID string, reps []bot.Reply) error {
	user := Channel + ":" + userID
	es := botEntries("p"+randomID(), reps, time.Now(), true)
	if len(es) == 0 {
		return nil
	}
	if _, err := s.st.AppendHistory(ctx, user, "", encode(es), s.historyMax, s.historyBytes); err != nil {
		return err
	}
	return s.deliver(ctx, user, es)
}

// deliver pushes entries to the user's open page in this process, or keeps
// them in the outbox and tells the other replicas, one of which may hold
// the page.
func (s *Server) deliver(ctx context.Context, user string, es []entry) (err error) {
	defer func() { s.sent(len(es), msg.Outcome(err)) }()
	if s.hub.push(user, views(es)) {
		return nil
	}
	if err := s.st.PushOutbox(ctx, user, encode(es)); err != nil {
		return err
	}
	if err := s.st.Notify(ctx, Channel, user); err != nil {
		s.log.Warn("web: notify replicas", "err", err)
	}
	return msg.ErrDeferred
}

func randomID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// langOf tells the language the bot last spoke in ("zh-Hans", "zh-Hant",
// "en"), so the page's own words follow /lang.
func langOf(es []entry) string {
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].From != "bot" || es[i].Text == "" {
			continue
		}
		han, latin := 0, 0
		for _, c := range es[i].Text {
			switch {
			case unicode.Is(unicode.Han, c):
				han++
			case c < unicode.MaxASCII && unicode.IsLetter(c):
				latin++
			}
		}
		if latin > 3*han {
			return "en"
		}
		if l := bot.DetectLang(es[i].Text); l != "" {
			return l
		}
	}
	return ""
}

func urlPathEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, code int, what string) {
	writeJSON(w, code, map[string]string{"error": what})
}
