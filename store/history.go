package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// A chat that shows its past (the web chat, after a reload) keeps each
// user's recent messages here, capped in count and in bytes.

// Message is one message kept for a user in their history or outbox: a
// unique id and its body (the web chat's JSON, WeChat's text).
type Message struct {
	ID   string
	Data []byte
}

// HistoryTTL is how long an idle history (and outbox) is kept: as long as a
// session.
const HistoryTTL = SessionTTL

// historyScan is how far back from the newest entry the append script looks
// for the message that replies follow: it is the newest entry but for a
// reminder that slipped in between.
const historyScan = 8

// appendHistory appends entries to a history list capped in count and in
// bytes, only while the history still holds the entry they follow. Each
// element is "<id>\n<sealed JSON>" so the script can find an id without
// opening values; it reads the newest elements one at a time, so a long
// history of long answers costs it nothing. The bytes the list holds are
// counted in a key beside it, so trimming to the byte cap pops only what
// goes (a list kept before the counter existed is summed once).
//
// KEYS[1] history list, KEYS[2] its byte count
// ARGV[1] cap (entries), ARGV[2] TTL (ms), ARGV[3] how many newest elements
// to search, ARGV[4] id of the entry these follow ("" when none), ARGV[5] cap
// (bytes), ARGV[6…] the elements
// Returns the length of the list after the append, or 0 when the entry they
// follow is gone (the user was deleted meanwhile).
var appendHistory = redis.NewScript(`
if ARGV[4] ~= '' then
  local p = ARGV[4] .. '\n'
  local found = false
  for i = 1, tonumber(ARGV[3]) do
    local v = redis.call('LINDEX', KEYS[1], -i)
    if not v then break end
    if string.sub(v, 1, #p) == p then found = true break end
  end
  if not found then return 0 end
end
local bytes = tonumber(redis.call('GET', KEYS[2]) or '-1')
if bytes < 0 then
  bytes = 0
  for _, v in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do bytes = bytes + #v end
end
for i = 6, #ARGV do
  redis.call('RPUSH', KEYS[1], ARGV[i])
  bytes = bytes + #ARGV[i]
end
local n = redis.call('LLEN', KEYS[1])
local maxn, maxb = tonumber(ARGV[1]), tonumber(ARGV[5])
while n > 1 and (n > maxn or bytes > maxb) do
  bytes = bytes - #redis.call('LPOP', KEYS[1])
  n = n - 1
end
redis.call('SET', KEYS[2], bytes, 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return n
`)

// AppendHistory appends msgs to user's history, keeping the newest entries
// that fit in max entries and maxBytes bytes (sealed, as kept; the newest
// entry is kept whatever its size). after is the id of the message they
// follow ("" for none): when it is no longer in the history, the user was
// deleted while their message was handled, nothing is written and n is 0.
// Otherwise n is the number of entries the history holds now. A message
// appended twice (a retried request) is kept twice and read once (see
// History).
func (s *Store) AppendHistory(ctx context.Context, user, after string, msgs []Message, max, maxBytes int) (n int, err error) {
	key := historyKey(user)
	args := []any{max, HistoryTTL.Milliseconds(), historyScan, after, maxBytes}
	for _, m := range msgs {
		if m.ID == "" || strings.Contains(m.ID, "\n") {
			return 0, fmt.Errorf("append history: bad id %q", m.ID)
		}
		args = append(args, s.element(key, m))
	}
	if len(msgs) == 0 {
		return 0, errors.New("append history: nothing to append")
	}
	got, err := appendHistory.Run(ctx, s.rdb, []string{key, historyBytesKey(user)}, args...).Int64()
	if err != nil {
		return 0, fmt.Errorf("append history: %w", err)
	}
	return int(got), nil
}

// HasHistory reports whether user has a history: they sent a message in
// the last HistoryTTL.
func (s *Store) HasHistory(ctx context.Context, user string) (bool, error) {
	n, err := s.rdb.Exists(ctx, historyKey(user)).Result()
	if err != nil {
		return false, fmt.Errorf("has history: %w", err)
	}
	return n == 1, nil
}

// KeepBriefly shortens the life of what an anonymous user's messages left in
// Redis (session, history, outbox, de-duplication marks) to ttl. The web chat
// calls it for an identity that has not gone past its first message; the
// next message makes every key long-lived again. Reminders and documents are
// never touched: only a conversation can make them.
func (s *Store) KeepBriefly(ctx context.Context, user string, ttl time.Duration) error {
	pipe := s.rdb.Pipeline()
	for _, k := range []string{sessionKey(user), seenKey(user), replayKey(user), historyKey(user), historyBytesKey(user), outboxKey(user)} {
		pipe.PExpire(ctx, k, ttl)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("keep briefly: %w", err)
	}
	return nil
}

// History returns user's history, oldest first, each id once.
func (s *Store) History(ctx context.Context, user string) ([]Message, error) {
	key := historyKey(user)
	vals, err := s.rdb.LRange(ctx, key, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return s.messages(key, vals)
}

// element is how a history or outbox keeps m: "<id>\n<sealed body>", so a
// script can find an id without opening the body.
func (s *Store) element(key string, m Message) []byte {
	return append([]byte(m.ID+"\n"), s.sealer.seal(key, m.Data)...)
}

// messages opens the elements of key, skipping an id seen before (a message
// appended twice by a retried request).
func (s *Store) messages(key string, vals []string) ([]Message, error) {
	out := make([]Message, 0, len(vals))
	seen := make(map[string]bool, len(vals))
	for _, v := range vals {
		id, body, ok := bytes.Cut([]byte(v), []byte("\n"))
		if !ok || seen[string(id)] {
			continue
		}
		seen[string(id)] = true
		data, err := s.sealer.open(key, body)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", key, err)
		}
		out = append(out, Message{ID: string(id), Data: data})
	}
	return out, nil
}
