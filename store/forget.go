package store

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Deleting and listing users' keys. The keys a user has are all under their
// hash tag, so a SCAN of userPattern finds what no list names; on a Redis
// Cluster that SCAN runs on every master (scanAll).

// DeleteUser removes every key of user: the ones it knows in one DEL (the
// registered document and log kinds among them), then any other key under
// the user's hash tag found by SCAN.
func (s *Store) DeleteUser(ctx context.Context, user string) error {
	s.dropCached(user)
	if err := s.unscheduleAll(ctx, user); err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	if err := s.rdb.Del(ctx, userKeys(user, registered(kinds.doc), registered(kinds.log))...).Err(); err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	err := s.scanAll(ctx, userPattern(user), func(key string) error {
		return s.rdb.Del(ctx, key).Err()
	})
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return nil
}

// UserKeys lists the keys of user still in Redis, for tests and tools that
// look at what a user leaves behind.
func (s *Store) UserKeys(ctx context.Context, user string) ([]string, error) {
	var keys []string
	err := s.scanAll(ctx, userPattern(user), func(key string) error {
		keys = append(keys, key)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list keys of user: %w", err)
	}
	return keys, nil
}

// UserKeyCount counts the keys of user still in Redis (tests and /forget checks).
func (s *Store) UserKeyCount(ctx context.Context, user string) (int, error) {
	keys, err := s.UserKeys(ctx, user)
	return len(keys), err
}

// DeleteUsersWithPrefix removes every key of every user whose id starts
// with prefix ("tg:42" takes tg:42, tg:421…) and returns how many it
// removed: load tools clean up the users of a run with it, without knowing
// each id. It refuses an empty prefix, which would be everyone.
func (s *Store) DeleteUsersWithPrefix(ctx context.Context, prefix string) (int, error) {
	if prefix == "" {
		return 0, errors.New("delete users: empty prefix (that is every user)")
	}
	// UNLINK one key per command, pipelined: a command with several keys
	// would fail on a cluster when they hash to different slots.
	var batch []string
	n := 0
	flush := func() error {
		pipe := s.rdb.Pipeline()
		for _, k := range batch {
			pipe.Unlink(ctx, k)
		}
		_, err := pipe.Exec(ctx)
		n += len(batch)
		batch = batch[:0]
		return err
	}
	err := s.scanAll(ctx, usersPattern(prefix), func(key string) error {
		if batch = append(batch, key); len(batch) == 1000 {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return n, fmt.Errorf("delete users %q: %w", prefix, err)
	}
	return n, nil
}

// DeleteNamespace removes the shared keys of the store's namespace (its due
// sets), for tests and load tools that made one with WithNamespace. It
// refuses the production namespace.
func (s *Store) DeleteNamespace(ctx context.Context) error {
	if s.ns == "" {
		return errors.New("delete namespace: the store has none (production)")
	}
	pipe := s.rdb.Pipeline()
	for shard := 0; shard < DueShards; shard++ {
		pipe.Unlink(ctx, dueKey(s.ns, shard))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("delete namespace %q: %w", s.ns, err)
	}
	return nil
}

// scanAll calls fn with every key matching pattern: on each master of a
// Redis Cluster (a SCAN sees one node's keys), else on the one server. The
// masters are scanned in parallel but fn is called for one key at a time,
// so it needs no lock of its own. The first error stops the scan.
func (s *Store) scanAll(ctx context.Context, pattern string, fn func(key string) error) error {
	var mu sync.Mutex
	scan := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, pattern, 500).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			err := fn(iter.Val())
			mu.Unlock()
			if err != nil {
				return err
			}
		}
		return iter.Err()
	}
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return scan(ctx, c) })
	}
	return scan(ctx, s.rdb)
}
