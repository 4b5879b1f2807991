package store

import (
	"hash/maphash"
	"sync"
	"time"
)

// sessionCache keeps, in this process, the sessions it last read or wrote,
// so a message costs one round trip (the save) instead of two. It is only
// ever a guess: the save script compares the revision, so a session another
// replica changed (or /forget deleted, or Redis expired) fails the save with
// ErrConflict, the entry is dropped, and the engine loads and handles the
// message again from Redis. The message ids it handled last are kept, so a
// retried delivery to this process is known without asking Redis; one that
// reaches another replica is caught by the save script's seen check.
// SessionCacheSize is how many sessions `loanbot serve` keeps in memory
// (sessions are a few hundred bytes: about 10 MB).
const SessionCacheSize = 20000

type sessionCache struct {
	seed   maphash.Seed
	shards [64]cacheShard
	max    int // entries per shard
}

type cacheShard struct {
	mu sync.Mutex
	m  map[string]*cached
}

type cached struct {
	rev    int64
	sess   *Session // decoded; never handed out (get returns a clone)
	hits   int64    // messages in the rate window ending at winEnd
	winEnd time.Time
	ids    [4]string // the last message ids handled
}

func newSessionCache(n int) *sessionCache {
	c := &sessionCache{seed: maphash.MakeSeed(), max: max(1, n/64)}
	for i := range c.shards {
		c.shards[i].m = make(map[string]*cached)
	}
	return c
}

func (c *sessionCache) shard(user string) *cacheShard {
	return &c.shards[maphash.String(c.seed, user)%uint64(len(c.shards))]
}

// get returns a copy of user's entry, its session a clone.
func (c *sessionCache) get(user string) (cached, bool) {
	sh := c.shard(user)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.m[user]
	if !ok {
		return cached{}, false
	}
	out := *e
	out.sess = e.sess.clone()
	return out, true
}

// put stores user's entry, keeping the message ids of the one it replaces
// and adding handled (when not ""); a full shard forgets an arbitrary entry
// first.
func (c *sessionCache) put(user string, e cached, handled string) {
	sh := c.shard(user)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if old, ok := sh.m[user]; ok {
		e.ids = old.ids
	} else if len(sh.m) >= c.max {
		for k := range sh.m {
			delete(sh.m, k)
			break
		}
	}
	e.remember(handled)
	sh.m[user] = &e
}

func (c *sessionCache) drop(user string) {
	sh := c.shard(user)
	sh.mu.Lock()
	delete(sh.m, user)
	sh.mu.Unlock()
}

func (e *cached) seen(id string) bool {
	if id == "" {
		return false
	}
	for _, x := range e.ids {
		if x == id {
			return true
		}
	}
	return false
}

func (e *cached) remember(id string) {
	if id == "" {
		return
	}
	copy(e.ids[1:], e.ids[:len(e.ids)-1])
	e.ids[0] = id
}

// clone copies a session deeply enough that the copy can be changed freely.
func (s *Session) clone() *Session {
	if s == nil {
		return &Session{}
	}
	c := *s
	if s.Slots != nil {
		c.Slots = make(map[string]string, len(s.Slots))
		for k, v := range s.Slots {
			c.Slots[k] = v
		}
	}
	c.History = append([]string(nil), s.History...)
	c.Menu = append([]MenuItem(nil), s.Menu...)
	c.Kept = append([]string(nil), s.Kept...)
	c.Replay = nil
	return &c
}
