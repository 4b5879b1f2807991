package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// A channel whose proactive messages are counted (WeChat's customer-service
// messages) keeps, per user, when they last wrote or clicked and what was
// sent since: a reply is sent only while the window it opened has quota left.

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
	key := inboundKey(user)
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
	n, err := reserveQuota.Run(ctx, s.rdb, []string{inboundKey(user), quotaKey(user)},
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
