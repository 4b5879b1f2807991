package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// A user's documents (one JSON value per kind: the negotiation plan) and
// logs (a capped list per kind: the call log).

// PutDoc stores one JSON document of user (no expiry: the user deletes it).
func (s *Store) PutDoc(ctx context.Context, user, kind string, v any) error {
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
