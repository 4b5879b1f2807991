package store

import "github.com/redis/go-redis/v9"

// countLua defines count(key, window): a counter of events in fixed windows
// (INCR, and the window's expiry set by its first event), returning the
// count so far. It is the one counter of the store: countInWindow runs it
// alone, saveSession inside the save, so a retried delivery is not counted
// twice.
const countLua = `
local function count(key, window)
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, window) end
  return n
end
`

// countInWindow counts one event (see countLua).
//
// KEYS[1] counter
// ARGV[1] window (ms)
// Returns the count in the window so far.
var countInWindow = redis.NewScript(countLua + `
return count(KEYS[1], ARGV[1])
`)

// saveSession writes a session if nobody else wrote it since it was loaded
// (compare-and-set on rev) and, in the same step, records the message id that
// caused the write, so a message changes a session at most once.
//
// KEYS[1] session hash, KEYS[2] seen zset, KEYS[3] replay string, KEYS[4] rate counter
// ARGV[1] expected rev, ARGV[2] session JSON, ARGV[3] session TTL (ms),
// ARGV[4] message id or "", ARGV[5] now (ms), ARGV[6] de-duplication window (ms),
// ARGV[7] the answer to keep for a retry ("" keeps none),
// ARGV[8] the rate window (ms; "0": no counting)
// Returns {new rev, messages in the rate window, its PTTL (ms)}, or -1 when
// rev did not match, -2 when the message was seen.
var saveSession = redis.NewScript(countLua + `
local rev = tonumber(redis.call('HGET', KEYS[1], 'rev') or '0')
if rev ~= tonumber(ARGV[1]) then return -1 end
if ARGV[4] ~= '' then
  if redis.call('ZSCORE', KEYS[2], ARGV[4]) then return -2 end
  local now = tonumber(ARGV[5])
  redis.call('ZADD', KEYS[2], now, ARGV[4])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[6]))
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
  if ARGV[7] ~= '' then
    redis.call('SET', KEYS[3], ARGV[7], 'PX', ARGV[6])
  end
end
local hits, ttl = 0, -2
if ARGV[8] ~= '0' then
  hits = count(KEYS[4], ARGV[8])
  ttl = redis.call('PTTL', KEYS[4])
end
rev = rev + 1
redis.call('HSET', KEYS[1], 'rev', rev, 'data', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {rev, hits, ttl}
`)

// claimDue leases the members of a due set whose time has come: each one's
// score moves to now + lease, so another dispatcher does not claim it again
// until the lease ends (a dispatcher that dies after claiming is covered:
// the member falls due again when its lease runs out).
//
// KEYS[1] due zset
// ARGV[1] now (ms), ARGV[2] lease (ms), ARGV[3] max members
// Returns a flat list: member, old score, member, old score, …
var claimDue = redis.NewScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
local lease = tonumber(ARGV[1]) + tonumber(ARGV[2])
for i = 1, #due, 2 do
  redis.call('ZADD', KEYS[1], lease, due[i])
end
return due
`)
