package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/redis/go-redis/v9"
)

// A user's documents (one JSON value per kind: the negotiation plan) and
// logs (a capped list per kind: the call log). The feature that owns a kind
// declares it, once, from its package's init (RegisterDoc, RegisterLog):
// DeleteUser deletes every declared kind by name, and the store refuses a
// kind nobody declared, so a new feature's data cannot be missed by /forget
// without a test noticing. (DeleteUser's SCAN of the user's hash tag would
// still find it: that stays as the net under the net.)

// ErrUnregisteredKind: a document or log kind that no RegisterDoc or
// RegisterLog declared.
var ErrUnregisteredKind = errors.New("store: kind not registered")

var kinds = struct {
	sync.RWMutex
	doc, log map[string]bool
}{doc: map[string]bool{}, log: map[string]bool{}}

// RegisterDoc declares a kind of document (PutDoc, GetDoc). Declaring a
// kind twice is harmless; an empty kind panics.
func RegisterDoc(kind string) { register(kinds.doc, kind) }

// RegisterLog declares a kind of log (AppendLog, Logs). Declaring a kind
// twice is harmless; an empty kind panics.
func RegisterLog(kind string) { register(kinds.log, kind) }

func register(m map[string]bool, kind string) {
	if kind == "" {
		panic("store: register an empty kind")
	}
	kinds.Lock()
	defer kinds.Unlock()
	m[kind] = true
}

// checkKind returns ErrUnregisteredKind (wrapped, with the kind) unless kind
// is declared in m.
func checkKind(m map[string]bool, what, kind string) error {
	kinds.RLock()
	defer kinds.RUnlock()
	if !m[kind] {
		return fmt.Errorf("%s %q: %w", what, kind, ErrUnregisteredKind)
	}
	return nil
}

// registered returns the declared kinds of m, sorted.
func registered(m map[string]bool) []string {
	kinds.RLock()
	defer kinds.RUnlock()
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// PutDoc stores one JSON document of user (no expiry: the user deletes it).
func (s *Store) PutDoc(ctx context.Context, user, kind string, v any) error {
	if err := checkKind(kinds.doc, "put document", kind); err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("put %s: %w", kind, err)
	}
	if err := s.rdb.Set(ctx, docKey(user, kind), s.sealer.seal(docKey(user, kind), data), 0).Err(); err != nil {
		return fmt.Errorf("put %s: %w", kind, err)
	}
	return nil
}

// GetDoc loads a document into v; found is false when there is none.
func (s *Store) GetDoc(ctx context.Context, user, kind string, v any) (bool, error) {
	if err := checkKind(kinds.doc, "get document", kind); err != nil {
		return false, err
	}
	data, err := s.rdb.Get(ctx, docKey(user, kind)).Bytes()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get %s: %w", kind, err)
	}
	if data, err = s.sealer.open(docKey(user, kind), data); err != nil {
		return false, fmt.Errorf("get %s: %w", kind, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("get %s: %w", kind, err)
	}
	return true, nil
}

// AppendLog adds an entry to the front of user's log of kind, keeping at most max.
func (s *Store) AppendLog(ctx context.Context, user, kind string, v any, max int) error {
	if err := checkKind(kinds.log, "append to log", kind); err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("append %s: %w", kind, err)
	}
	pipe := s.rdb.TxPipeline()
	pipe.LPush(ctx, logKey(user, kind), s.sealer.seal(logKey(user, kind), data))
	pipe.LTrim(ctx, logKey(user, kind), 0, int64(max-1))
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("append %s: %w", kind, err)
	}
	return nil
}

// Logs returns up to n raw JSON entries of user's log of kind, newest first.
func (s *Store) Logs(ctx context.Context, user, kind string, n int) ([][]byte, error) {
	if err := checkKind(kinds.log, "list log", kind); err != nil {
		return nil, err
	}
	vals, err := s.rdb.LRange(ctx, logKey(user, kind), 0, int64(n-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	out := make([][]byte, 0, len(vals))
	for _, v := range vals {
		plain, err := s.sealer.open(logKey(user, kind), []byte(v))
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", kind, err)
		}
		out = append(out, plain)
	}
	return out, nil
}
