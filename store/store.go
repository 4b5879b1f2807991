// Package store owns loanbot's state in Redis: dialog sessions, message
// de-duplication, per-user documents and logs, and deleting a user. It is the
// only package that imports go-redis; everything above it sees plain Go types.
package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Errors callers test with errors.Is.
var (
	// ErrConflict: the session changed since it was loaded (another replica won).
	ErrConflict = errors.New("store: session changed concurrently")
	// ErrDuplicate: the message was already handled.
	ErrDuplicate = errors.New("store: message already handled")
)

const (
	// SessionTTL is how long an idle session lives.
	SessionTTL = 30 * 24 * time.Hour
	// SeenWindow is how long a handled message id is remembered.
	SeenWindow = 24 * time.Hour
)

// MenuItem is one button the user was last shown, so that a typed number or
// label can be mapped back to the button's payload on text-only channels.
type MenuItem struct {
	Label   string `json:"l"`
	Payload string `json:"p"`
}

// Session is the small state of one user's conversation.
type Session struct {
	Flow        string            `json:"flow,omitempty"`
	FlowVersion int               `json:"fv,omitempty"`
	State       string            `json:"state,omitempty"`
	Slots       map[string]string `json:"slots,omitempty"`
	History     []string          `json:"hist,omitempty"`
	Lang        string            `json:"lang,omitempty"`
	LangChosen  bool              `json:"langc,omitempty"`
	Menu        []MenuItem        `json:"menu,omitempty"`
	// MenuNumeric: the question shown expects a number, so a typed number is
	// an answer, not a button index.
	MenuNumeric bool   `json:"menun,omitempty"`
	Pending     string `json:"pending,omitempty"`
	Answered    bool   `json:"ans,omitempty"`
	// Kept lists the kinds of document the user keeps that another feature
	// reads on its hot path (a debt map with a budget prefills /prep), so
	// that feature reads Redis only when there is something to read.
	Kept []string `json:"kept,omitempty"`
	// Replay is the answer to the message being saved (JSON of the replies,
	// without attachments): Save keeps it beside the session, not in it, so
	// a delivery retried after a crash between saving and sending gets the
	// answer again (see Store.Replay). It is not loaded with the session.
	Replay []byte `json:"-"`
	// Rev counts the writes of this session; it is kept beside the JSON.
	Rev int64 `json:"-"`
	// Hits is the number of the user's messages saved in the current rate
	// window (read by Load when the store has a rate window; not stored).
	Hits      int64     `json:"-"`
	UpdatedAt time.Time `json:"at"`
}

// Store is loanbot's Redis state.
type Store struct {
	rdb     redis.UniversalClient
	ns      string        // namespace of the shared keys (due sets); "" in production
	sealer  *Sealer       // nil: values are stored in the clear
	rateWin time.Duration // > 0: Load counts the user's messages in windows of this length
	cache   *sessionCache // nil: every Load reads Redis
}

// New wraps a go-redis client (single, Sentinel or Cluster).
func New(rdb redis.UniversalClient) *Store {
	return &Store{rdb: rdb}
}

// WithSealer returns a store that encrypts user data at rest.
func (s *Store) WithSealer(sl *Sealer) *Store {
	c := *s
	c.sealer = sl
	return &c
}

// WithRateWindow makes Save count each user's messages in fixed windows of
// d (the count is shared by every replica; a retried delivery counts once)
// and Load read the count, in the round trips they make anyway.
func (s *Store) WithRateWindow(d time.Duration) *Store {
	c := *s
	c.rateWin = d
	return &c
}

// WithSessionCache returns a store that keeps up to n sessions in this
// process (see sessionCache): a message then costs one round trip.
func (s *Store) WithSessionCache(n int) *Store {
	c := *s
	c.cache = newSessionCache(n)
	return &c
}

// WithNamespace returns a store whose shared keys (the due sets) are apart
// from every other namespace's, for tests that share one Redis.
func (s *Store) WithNamespace(ns string) *Store {
	c := *s
	c.ns = ns + ":"
	return &c
}

// Client returns the underlying client (for health checks).
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }

// Load returns user's session (a zero Session with Rev 0 when there is none)
// and whether msgID was already handled, in one round trip.
func (s *Store) Load(ctx context.Context, user, msgID string) (*Session, bool, error) {
	if s.cache != nil {
		if e, ok := s.cache.get(user); ok {
			sess := e.sess
			sess.Rev = e.rev
			if s.rateWin > 0 && time.Now().Before(e.winEnd) {
				sess.Hits = e.hits
			}
			return sess, e.seen(msgID), nil
		}
	}
	pipe := s.rdb.Pipeline()
	hm := pipe.HMGet(ctx, sessionKey(user), "rev", "data")
	var seen *redis.FloatCmd
	if msgID != "" {
		seen = pipe.ZScore(ctx, seenKey(user), msgID)
	}
	var hits *redis.StringCmd
	var hitsTTL *redis.DurationCmd
	if s.rateWin > 0 {
		hits = pipe.Get(ctx, rateKey(user))
		if s.cache != nil {
			hitsTTL = pipe.PTTL(ctx, rateKey(user))
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, false, fmt.Errorf("load session: %w", err)
	}
	dup := seen != nil && seen.Err() == nil
	vals := hm.Val()
	sess := &Session{}
	var plain []byte
	if len(vals) == 2 && vals[0] != nil && vals[1] != nil {
		revStr, _ := vals[0].(string)
		data, _ := vals[1].(string)
		rev, err := strconv.ParseInt(revStr, 10, 64)
		if err != nil {
			return nil, dup, fmt.Errorf("load session: bad rev %q", revStr)
		}
		plain, err = s.sealer.open(sessionKey(user), []byte(data))
		if err != nil {
			return nil, dup, fmt.Errorf("load session: %w", err)
		}
		if err := json.Unmarshal(plain, sess); err != nil {
			// A session we cannot read is replaced rather than crashed on;
			// keeping the rev lets the next save succeed.
			sess = &Session{}
		}
		sess.Rev = rev
	}
	if hits != nil {
		sess.Hits, _ = strconv.ParseInt(hits.Val(), 10, 64)
	}
	if s.cache != nil {
		e := cached{rev: sess.Rev, sess: sess.clone(), hits: sess.Hits}
		if hitsTTL != nil && hitsTTL.Val() > 0 {
			e.winEnd = time.Now().Add(hitsTTL.Val())
		}
		s.cache.put(user, e, "")
	}
	return sess, dup, nil
}

// Save writes sess if its Rev is still the stored one and records msgID as
// handled; on success sess.Rev is the new revision. It returns ErrConflict or
// ErrDuplicate (wrapped) when it did not write.
func (s *Store) Save(ctx context.Context, user string, sess *Session, msgID string, now time.Time) error {
	data, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	var replay []byte
	if msgID != "" && sess.Replay != nil {
		replay = s.sealer.seal(replayKey(user), append([]byte(msgID+"\n"), sess.Replay...))
	}
	res, err := saveSession.Run(ctx, s.rdb, []string{sessionKey(user), seenKey(user), replayKey(user), rateKey(user)},
		sess.Rev, s.sealer.seal(sessionKey(user), data), SessionTTL.Milliseconds(), msgID, now.UnixMilli(), SeenWindow.Milliseconds(), replay,
		s.rateWin.Milliseconds()).Result()
	if err != nil {
		s.dropCached(user)
		return fmt.Errorf("save session: %w", err)
	}
	out, ok := res.([]any)
	if !ok || len(out) != 3 {
		s.dropCached(user)
		switch res {
		case int64(-1):
			return ErrConflict
		case int64(-2):
			return ErrDuplicate
		}
		return fmt.Errorf("save session: unexpected answer %v", res)
	}
	rev, _ := out[0].(int64)
	hits, _ := out[1].(int64)
	ttl, _ := out[2].(int64)
	sess.Rev = rev
	if s.cache != nil {
		e := cached{rev: rev, sess: sess.clone(), hits: hits}
		if ttl > 0 {
			e.winEnd = time.Now().Add(time.Duration(ttl) * time.Millisecond)
		}
		s.cache.put(user, e, msgID)
	}
	return nil
}

func (s *Store) dropCached(user string) {
	if s.cache != nil {
		s.cache.drop(user)
	}
}

// WarnOnce reports whether user is to be told they send too fast: true once
// a rate window.
func (s *Store) WarnOnce(ctx context.Context, user string) (bool, error) {
	win := s.rateWin
	if win <= 0 {
		win = time.Minute
	}
	ok, err := s.rdb.SetNX(ctx, rateWarnedKey(user), "1", win).Result()
	if err != nil {
		return false, fmt.Errorf("rate warning: %w", err)
	}
	return ok, nil
}

// Replay returns the answer kept for msgID, or nil when msgID was not the
// last message handled (or its answer expired).
func (s *Store) Replay(ctx context.Context, user, msgID string) ([]byte, error) {
	b, err := s.rdb.Get(ctx, replayKey(user)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	if b, err = s.sealer.open(replayKey(user), b); err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	id, body, ok := bytes.Cut(b, []byte("\n"))
	if !ok || string(id) != msgID {
		return nil, nil
	}
	return body, nil
}
