package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// The shared state of channel adapters, under channelKey(channel, name):
// secrets (the web chat's cookie key, WeChat's access_token), locks,
// claim-once marks and counters. What one replica learns, every replica uses.

// Secret is a value kept under a channel's key, sealed like user data.
// Handle is what is stored (the ciphertext): DeleteSecretIf removes the value
// only while it is still the one read, so a replica that found a token
// revoked does not delete the fresh one another replica has just put there.
type Secret struct {
	Value  string
	Handle string
}

// ChannelSecret reads a channel's secret; ok is false when there is none.
func (s *Store) ChannelSecret(ctx context.Context, channel, name string) (sec Secret, ok bool, err error) {
	key := channelKey(channel, name)
	raw, err := s.rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return Secret{}, false, nil
	}
	if err != nil {
		return Secret{}, false, fmt.Errorf("read %s: %w", key, err)
	}
	v, err := s.sealer.open(key, []byte(raw))
	if err != nil {
		return Secret{}, false, fmt.Errorf("read %s: %w", key, err)
	}
	return Secret{Value: string(v), Handle: raw}, true, nil
}

// SetChannelSecret stores a channel's secret for ttl.
func (s *Store) SetChannelSecret(ctx context.Context, channel, name, value string, ttl time.Duration) (Secret, error) {
	key := channelKey(channel, name)
	raw := string(s.sealer.seal(key, []byte(value)))
	if err := s.rdb.Set(ctx, key, raw, ttl).Err(); err != nil {
		return Secret{}, fmt.Errorf("write %s: %w", key, err)
	}
	return Secret{Value: value, Handle: raw}, nil
}

// SharedSecret returns a channel's lasting secret (the web chat's cookie
// key): the one in Redis, or fresh when there is none yet (SET NX, so every
// replica ends up with the first one written). It is sealed like user data:
// whoever can read Redis without the data key cannot forge a cookie and
// read a history through the chat.
func (s *Store) SharedSecret(ctx context.Context, channel, name string, fresh []byte) ([]byte, error) {
	key := channelKey(channel, name)
	if err := s.rdb.SetNX(ctx, key, s.sealer.seal(key, fresh), 0).Err(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", channel, name, err)
	}
	b, err := s.rdb.Get(ctx, key).Bytes()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", channel, name, err)
	}
	if b, err = s.sealer.open(key, b); err != nil {
		return nil, fmt.Errorf("%s %s %s: %w", channel, name, key, err)
	}
	return b, nil
}

// deleteIf deletes a key only while it holds the value read earlier.
//
// KEYS[1] the key; ARGV[1] the value
// Returns 1 when deleted, 0 when the key holds something else or nothing.
var deleteIf = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// DeleteSecretIf deletes a channel's secret if it is still sec.
func (s *Store) DeleteSecretIf(ctx context.Context, channel, name string, sec Secret) error {
	key := channelKey(channel, name)
	if err := deleteIf.Run(ctx, s.rdb, []string{key}, sec.Handle).Err(); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// TryLock takes a channel's lock for ttl, unless another holder has it;
// unlock releases it if it is still ours.
func (s *Store) TryLock(ctx context.Context, channel, name string, ttl time.Duration) (unlock func(), ok bool, err error) {
	key := channelKey(channel, name+":lock")
	var b [12]byte
	fillRandom(b[:])
	token := fmt.Sprintf("%x", b)
	ok, err = s.rdb.SetNX(ctx, key, token, ttl).Result()
	if err != nil || !ok {
		return func() {}, false, err
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		deleteIf.Run(ctx, s.rdb, []string{key}, token)
	}, true, nil
}

func fillRandom(b []byte) { rand.Read(b) }

// claimOnce keeps the first value given for a key for a while and returns
// the value kept.
//
// KEYS[1] channelKey(channel, "once:"+id); ARGV[1] value, ARGV[2] ttl ms.
var claimOnce = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`)

// ClaimOnce records value under id on channel for ttl, shared by every
// replica, and reports whether value is the one recorded: true the first
// time and for the same value again (a platform's retry), false for
// another value under the same id (a signed URL reused with another body).
func (s *Store) ClaimOnce(ctx context.Context, channel, id, value string, ttl time.Duration) (bool, error) {
	key := channelKey(channel, "once:"+id)
	got, err := claimOnce.Run(ctx, s.rdb, []string{key}, value, ttl.Milliseconds()).Text()
	if err != nil {
		return false, fmt.Errorf("claim %s: %w", key, err)
	}
	return got == value, nil
}

// Count counts one event under name on channel (the web chat counts the
// requests of a client address, "addr:<address>") in fixed windows of
// window, shared by every replica, and returns the count in the current
// window so far.
func (s *Store) Count(ctx context.Context, channel, name string, window time.Duration) (int64, error) {
	key := channelKey(channel, name)
	n, err := countInWindow.Run(ctx, s.rdb, []string{key}, window.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("count on %s: %w", channel, err) // name may be an address: not logged
	}
	return n, nil
}
