package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// A channel's shared secrets (the WeChat access_token) and the WeChat
// customer-service quota: what one replica learns, every replica uses.

// Secret is a value kept under ChannelKey, sealed like user data. Handle is
// what is stored (the ciphertext): DeleteSecretIf removes the value only
// while it is still the one read, so a replica that found a token revoked
// does not delete the fresh one another replica has just put there.
type Secret struct {
	Value  string
	Handle string
}

// ChannelSecret reads a channel's secret; ok is false when there is none.
func (s *Store) ChannelSecret(ctx context.Context, channel, name string) (sec Secret, ok bool, err error) {
	key := ChannelKey(channel, name)
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
	key := ChannelKey(channel, name)
	raw := string(s.sealer.seal(key, []byte(value)))
	if err := s.rdb.Set(ctx, key, raw, ttl).Err(); err != nil {
		return Secret{}, fmt.Errorf("write %s: %w", key, err)
	}
	return Secret{Value: value, Handle: raw}, nil
}

var deleteIf = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// DeleteSecretIf deletes a channel's secret if it is still sec.
func (s *Store) DeleteSecretIf(ctx context.Context, channel, name string, sec Secret) error {
	key := ChannelKey(channel, name)
	if err := deleteIf.Run(ctx, s.rdb, []string{key}, sec.Handle).Err(); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// TryLock takes a channel's lock for ttl, unless another holder has it;
// unlock releases it if it is still ours.
func (s *Store) TryLock(ctx context.Context, channel, name string, ttl time.Duration) (unlock func(), ok bool, err error) {
	key := ChannelKey(channel, name+":lock")
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

// Quota rules of a channel whose proactive messages are counted (WeChat's
// customer-service messages): after a user's message, Max messages within
// Window; after a menu click, ClickMax within ClickWindow.
type Quota struct {
	Window      time.Duration
	Max         int
	ClickWindow time.Duration
	ClickMax    int
}

// NoteInbound records that user just wrote (kind "text") or clicked a menu
// item (kind "click"): it opens a new quota window.
func (s *Store) NoteInbound(ctx context.Context, user, kind string, now time.Time, q Quota) error {
	key := InboundKey(user)
	pipe := s.rdb.TxPipeline()
	pipe.HSet(ctx, key, kind, now.UnixMilli())
	pipe.PExpire(ctx, key, q.Window+time.Hour)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("note inbound: %w", err)
	}
	return nil
}

// reserveQuota takes one proactive message of user's quota, if any is left.
//
// KEYS[1] inbound hash {text, click}, KEYS[2] quota zset (send times)
// ARGV[1] now (ms), ARGV[2] window, ARGV[3] max, ARGV[4] click window,
// ARGV[5] click max, ARGV[6] member
// Returns 1 when taken, 0 when the window is closed, -1 when it is spent.
var reserveQuota = redis.NewScript(`
local now = tonumber(ARGV[1])
local open = false
for _, w in ipairs({{'text', ARGV[2], ARGV[3]}, {'click', ARGV[4], ARGV[5]}}) do
  local since = tonumber(redis.call('HGET', KEYS[1], w[1]) or '0')
  if now - since < tonumber(w[2]) then
    open = true
    if redis.call('ZCOUNT', KEYS[2], since, '+inf') < tonumber(w[3]) then
      redis.call('ZADD', KEYS[2], now, ARGV[6])
      redis.call('PEXPIRE', KEYS[2], ARGV[2])
      return 1
    end
  end
end
if open then return -1 end
return 0
`)

// Quota answers of ReserveQuota.
var (
	ErrWindowClosed = errors.New("the user's reply window is closed")
	ErrQuotaSpent   = errors.New("the user's message quota is spent")
)

// ReserveQuota takes one proactive message of user's quota: nil when it may
// be sent, ErrWindowClosed or ErrQuotaSpent when not.
func (s *Store) ReserveQuota(ctx context.Context, user string, now time.Time, q Quota) error {
	var b [8]byte
	fillRandom(b[:])
	n, err := reserveQuota.Run(ctx, s.rdb, []string{InboundKey(user), QuotaKey(user)},
		now.UnixMilli(), q.Window.Milliseconds(), q.Max, q.ClickWindow.Milliseconds(), q.ClickMax,
		strconv.FormatInt(now.UnixMilli(), 10)+"-"+fmt.Sprintf("%x", b)).Int()
	switch {
	case err != nil:
		return fmt.Errorf("reserve quota: %w", err)
	case n == 0:
		return ErrWindowClosed
	case n < 0:
		return ErrQuotaSpent
	}
	return nil
}

func fillRandom(b []byte) { rand.Read(b) }

// claimOnce keeps the first value given for a key for a while and returns
// the value kept.
// KEYS[1] ChannelKey(channel, "once:"+id); ARGV[1] value, ARGV[2] ttl ms.
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
	key := ChannelKey(channel, "once:"+id)
	got, err := claimOnce.Run(ctx, s.rdb, []string{key}, value, ttl.Milliseconds()).Text()
	if err != nil {
		return false, fmt.Errorf("claim %s: %w", key, err)
	}
	return got == value, nil
}
