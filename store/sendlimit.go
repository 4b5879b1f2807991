package store

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Outbound limits shared by every replica: one virtual schedule (GCRA) for
// the whole bot and one per chat, kept in Redis, so three replicas behind
// one token send no more than one would. A message reserves the earliest
// time both schedules allow in one round trip, then waits for it.
//
// go-redis/redis_rate (GCRA in Lua too) was the first choice, but it limits
// one key per call: the bot's budget and the chat's would take two round
// trips, and a slot taken in the first could not be given back when the
// second refused. One script over both keys does it in one.

// SendLimit is one schedule: a message every Every, bursts of up to Burst.
// Every = 0 turns it off.
type SendLimit struct {
	Every time.Duration
	Burst int
}

func (l SendLimit) allowance() time.Duration {
	if l.Every == 0 || l.Burst <= 1 {
		return 0
	}
	return time.Duration(l.Burst-1) * l.Every
}

// reserveSend reserves a slot on the bot's and the chat's schedules, in
// microseconds of the Redis server's clock (every replica reads the same).
//
// KEYS[1] the bot's schedule, KEYS[2] the chat's (one hash tag: one slot)
// ARGV[1] bot every (µs), ARGV[2] bot allowance (µs), ARGV[3] chat every,
// ARGV[4] chat allowance, ARGV[5] "1" for a background message (a
// reminder), ARGV[6] how far ahead a background message may queue (µs)
// Returns {reserved (1 or 0), the wait (µs), the slot (µs since the epoch,
// Redis' clock)}; a background message that would queue further ahead is
// not reserved (replies go first) and the wait says when to ask again.
var reserveSend = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local ge, ga, ce, ca = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local g = tonumber(redis.call('GET', KEYS[1]) or '0')
local c = tonumber(redis.call('GET', KEYS[2]) or '0')
local at = now
if ge > 0 and g - ga > at then at = g - ga end
if ce > 0 and c - ca > at then at = c - ca end
if ARGV[5] == '1' and at - now > tonumber(ARGV[6]) then return {0, at - now - tonumber(ARGV[6]), at} end
if ge > 0 then
  local n = math.max(g, at) + ge
  redis.call('SET', KEYS[1], string.format('%d', n), 'PX', math.floor((n - now) / 1000) + 1000)
end
if ce > 0 then
  local n = math.max(c, at) + ce
  redis.call('SET', KEYS[2], string.format('%d', n), 'PX', math.floor((n - now) / 1000) + 1000)
end
return {1, at - now, at}
`)

// pauseSend moves a chat's schedule to at least now + ARGV[1] µs + its
// burst allowance ARGV[2] µs (Telegram answered 429 with retry_after), so
// no message of the chat goes before then.
var pauseSend = redis.NewScript(`
local t = redis.call('TIME')
local n = tonumber(t[1]) * 1000000 + tonumber(t[2]) + tonumber(ARGV[1]) + tonumber(ARGV[2])
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > c then redis.call('SET', KEYS[1], string.format('%d', n), 'PX', math.floor((tonumber(ARGV[1]) + tonumber(ARGV[2])) / 1000) + 1000) end
return 1
`)

// backgroundAhead is how far ahead of now a background message may queue:
// past it, it waits without a slot and asks again, so a reply that comes
// meanwhile takes the next free slot.
const backgroundAhead = 200 * time.Millisecond

func sendKeys(channel, bot, chat string) []string {
	tag := "{limit:" + channel + ":" + bot + "}"
	return []string{channelKey(channel, tag+":all"), channelKey(channel, tag+":chat:"+chat)}
}

// ReserveSend reserves the next slot of the bot's (bot) and the chat's
// schedules on channel. A background message (a reminder) gets a slot only
// when it is due within a moment; otherwise the slot is not reserved and
// its Wait says when to ask again.
func (s *Store) ReserveSend(ctx context.Context, channel, bot, chat string, all, one SendLimit, background bool) (Slot, error) {
	bg := "0"
	if background {
		bg = "1"
	}
	// Rounded up: 30 a second is a slot every 33,334 µs, so that no window
	// of one second holds a 31st.
	us := func(d time.Duration) int64 { return int64((d + time.Microsecond - 1) / time.Microsecond) }
	v, err := reserveSend.Run(ctx, s.rdb, sendKeys(channel, bot, chat),
		us(all.Every), us(all.allowance()), us(one.Every), us(one.allowance()), bg, us(backgroundAhead)).Int64Slice()
	if err != nil || len(v) != 3 {
		return Slot{}, fmt.Errorf("reserve send: %w", err)
	}
	return Slot{Reserved: v[0] == 1, Wait: time.Duration(v[1]) * time.Microsecond, At: time.UnixMicro(v[2])}, nil
}

// Slot is a reserved send: wait Wait (until At, by Redis' clock). Not
// Reserved: a background message that is to ask again after Wait.
type Slot struct {
	Reserved bool
	Wait     time.Duration
	At       time.Time
}

// PauseSend holds a chat's messages (schedule one) for d on every replica.
func (s *Store) PauseSend(ctx context.Context, channel, bot, chat string, one SendLimit, d time.Duration) error {
	if err := pauseSend.Run(ctx, s.rdb, sendKeys(channel, bot, chat)[1:], d.Microseconds(), one.allowance().Microseconds()).Err(); err != nil {
		return fmt.Errorf("pause send: %w", err)
	}
	return nil
}
