package store

import (
	"context"
	"fmt"
)

// An outbox keeps the replies that could not be delivered to a user (the
// web chat's page was closed, WeChat's reply window or quota was spent)
// until their next visit or message; any channel may use it.

// OutboxMax is how many messages an outbox keeps; older ones are dropped
// (the web chat has them in its history too).
const OutboxMax = 100

// PushOutbox keeps msgs for user's next visit, the newest OutboxMax, for
// HistoryTTL.
func (s *Store) PushOutbox(ctx context.Context, user string, msgs []Message) error {
	key := outboxKey(user)
	vals := make([]any, len(msgs))
	for i, m := range msgs {
		vals[i] = s.element(key, m)
	}
	pipe := s.rdb.TxPipeline()
	pipe.RPush(ctx, key, vals...)
	pipe.LTrim(ctx, key, -OutboxMax, -1)
	pipe.PExpire(ctx, key, HistoryTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("push outbox: %w", err)
	}
	return nil
}

// DrainOutbox takes every message kept for user, oldest first.
func (s *Store) DrainOutbox(ctx context.Context, user string) ([]Message, error) {
	key := outboxKey(user)
	pipe := s.rdb.TxPipeline()
	get := pipe.LRange(ctx, key, 0, -1)
	pipe.Del(ctx, key)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("drain outbox: %w", err)
	}
	return s.messages(key, get.Val())
}
