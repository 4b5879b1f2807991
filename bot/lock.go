package bot

import (
	"hash/maphash"
	"sync"
)

// keyedLock serialises work per key in arrival order (first to ask, first to
// run). An entry exists only while someone holds or waits for its key, so
// the map never grows with the number of users, only with those active now.
type keyedLock struct {
	seed   maphash.Seed
	shards [64]lockShard
}

type lockShard struct {
	mu sync.Mutex
	m  map[string]*lockQueue
}

type lockQueue struct {
	waiters []chan struct{} // the holder is not in it; the next to run is first
}

func newKeyedLock() *keyedLock {
	l := &keyedLock{seed: maphash.MakeSeed()}
	for i := range l.shards {
		l.shards[i].m = map[string]*lockQueue{}
	}
	return l
}

// ticket is a place in a key's queue.
type ticket struct {
	l     *keyedLock
	key   string
	ready chan struct{} // nil when the lock was free at once
}

// enqueue takes a place in key's queue without waiting: the order of
// enqueue calls is the order the holders run in.
func (l *keyedLock) enqueue(key string) *ticket {
	sh := &l.shards[maphash.String(l.seed, key)%uint64(len(l.shards))]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	q, busy := sh.m[key]
	if !busy {
		sh.m[key] = &lockQueue{}
		return &ticket{l: l, key: key}
	}
	ch := make(chan struct{})
	q.waiters = append(q.waiters, ch)
	return &ticket{l: l, key: key, ready: ch}
}

// wait blocks until the ticket's turn.
func (t *ticket) wait() {
	if t.ready != nil {
		<-t.ready
	}
}

// release hands the key to the next in line, or frees the entry.
func (t *ticket) release() {
	sh := &t.l.shards[maphash.String(t.l.seed, t.key)%uint64(len(t.l.shards))]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	q := sh.m[t.key]
	if len(q.waiters) == 0 {
		delete(sh.m, t.key)
		return
	}
	next := q.waiters[0]
	q.waiters[0] = nil
	q.waiters = q.waiters[1:]
	close(next)
}

// size counts the keys held or waited for (tests: the map must not grow).
func (l *keyedLock) size() int {
	n := 0
	for i := range l.shards {
		l.shards[i].mu.Lock()
		n += len(l.shards[i].m)
		l.shards[i].mu.Unlock()
	}
	return n
}
