// Package keyq serialises work per key in arrival order: the engine's turn
// per user, the Telegram adapter's send order per chat. A place is taken
// without waiting (Enqueue), so a caller that enqueues in arrival order gets
// the work run in that order even when it does not wait for each.
package keyq

import (
	"hash/maphash"
	"sync"
)

// Queue holds, for each key with work in flight, the places waiting after
// the holder. An entry exists only while someone holds or waits for its
// key: the map never grows with the number of keys, only with the active.
type Queue[K comparable] struct {
	seed   maphash.Seed
	shards [64]shard[K]
}

type shard[K comparable] struct {
	mu sync.Mutex
	m  map[K][]chan struct{} // present: held; the waiters after the holder, next first
}

// New makes an empty queue.
func New[K comparable]() *Queue[K] {
	q := &Queue[K]{seed: maphash.MakeSeed()}
	for i := range q.shards {
		q.shards[i].m = map[K][]chan struct{}{}
	}
	return q
}

func (q *Queue[K]) shard(key K) *shard[K] {
	return &q.shards[maphash.Comparable(q.seed, key)%uint64(len(q.shards))]
}

// Ticket is a place in a key's queue.
type Ticket[K comparable] struct {
	q     *Queue[K]
	key   K
	ready chan struct{} // nil when the key was free at once
}

// Enqueue takes the key's next place without waiting: the order of Enqueue
// calls is the order the holders run in.
func (q *Queue[K]) Enqueue(key K) *Ticket[K] {
	sh := q.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	waiters, busy := sh.m[key]
	if !busy {
		sh.m[key] = nil
		return &Ticket[K]{q: q, key: key}
	}
	ch := make(chan struct{})
	sh.m[key] = append(waiters, ch)
	return &Ticket[K]{q: q, key: key, ready: ch}
}

// Wait blocks until every earlier place of the key is released.
func (t *Ticket[K]) Wait() {
	if t.ready != nil {
		<-t.ready
	}
}

// Release hands the key to the next place (waiting for this ticket's turn
// first, if it has not come), or frees the entry.
func (t *Ticket[K]) Release() {
	t.Wait()
	sh := t.q.shard(t.key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	waiters := sh.m[t.key]
	if len(waiters) == 0 {
		delete(sh.m, t.key)
		return
	}
	next := waiters[0]
	waiters[0] = nil
	sh.m[t.key] = waiters[1:]
	close(next)
}

// Len counts the keys held or waited for.
func (q *Queue[K]) Len() int {
	n := 0
	for i := range q.shards {
		q.shards[i].mu.Lock()
		n += len(q.shards[i].m)
		q.shards[i].mu.Unlock()
	}
	return n
}
