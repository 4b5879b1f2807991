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

// The web chat's state: each user's recent messages (the page shows them
// again after a reload), an outbox of messages that arrived while no page
// was open, the secret that signs the chat's cookies, a counter per client
// address, and a Pub/Sub channel that tells every replica "user X has
// something in their outbox" so the replica holding their open page sends it.

// WebMessage is one message of a web chat: a unique id and its JSON.
type WebMessage struct {
	ID   string
	Data []byte
}

// WebHistoryTTL is how long an idle web chat history is kept (as a session).
const WebHistoryTTL = SessionTTL

// webScan is how far back from the newest entry the append script looks for
// the message that replies follow: it is the newest entry but for a reminder
// that slipped in between.
const webScan = 8

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

// countAddr counts one request of a client address in a fixed window.
//
// KEYS[1] counter (ChannelKey("web", "addr:…"))
// ARGV[1] window (ms)
// Returns the count in the window so far.
var countAddr = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`)

// webEvents is the Pub/Sub channel whose messages name a web user with
// something new in their outbox.
var webEvents = ChannelKey("web", "events")

// WebSecret returns the secret that signs the web chat's cookies: the one
// in Redis, or fresh when there is none yet (SET NX, so every replica ends up
// with the first one written). It is sealed like user data: whoever can read
// Redis without the data key cannot forge a cookie and read a history
// through the chat.
func (s *Store) WebSecret(ctx context.Context, fresh []byte) ([]byte, error) {
	key := ChannelKey("web", "secret")
	if err := s.rdb.SetNX(ctx, key, s.sealer.seal(key, fresh), 0).Err(); err != nil {
		return nil, fmt.Errorf("web secret: %w", err)
	}
	b, err := s.rdb.Get(ctx, key).Bytes()
	if err != nil {
		return nil, fmt.Errorf("web secret: %w", err)
	}
	if b, err = s.sealer.open(key, b); err != nil {
		return nil, fmt.Errorf("web secret %s: %w", key, err)
	}
	return b, nil
}

// AppendHistory appends msgs to user's web chat history, keeping the newest
// entries that fit in max entries and maxBytes bytes (sealed, as kept; the
// newest entry is kept whatever its size). after is the id of the message
// they follow ("" for none): when it is no longer in the history, the user
// was deleted while their message was handled, nothing is written and n is
// 0. Otherwise n is the number of entries the history holds now. A message
// appended twice (a retried request) is kept twice and read once (see
// History).
func (s *Store) AppendHistory(ctx context.Context, user, after string, msgs []WebMessage, max, maxBytes int) (n int, err error) {
	key := HistoryKey(user)
	args := []any{max, WebHistoryTTL.Milliseconds(), webScan, after, maxBytes}
	for _, m := range msgs {
		if m.ID == "" || strings.Contains(m.ID, "\n") {
			return 0, fmt.Errorf("append history: bad id %q", m.ID)
		}
		args = append(args, s.webElement(key, m))
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

// HasHistory reports whether user has a web chat history: they sent a
// message in the last WebHistoryTTL.
func (s *Store) HasHistory(ctx context.Context, user string) (bool, error) {
	n, err := s.rdb.Exists(ctx, HistoryKey(user)).Result()
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
	for _, k := range []string{SessionKey(user), SeenKey(user), ReplayKey(user), HistoryKey(user), historyBytesKey(user), OutboxKey(user)} {
		pipe.PExpire(ctx, k, ttl)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("keep briefly: %w", err)
	}
	return nil
}

// History returns user's web chat history, oldest first, each id once.
func (s *Store) History(ctx context.Context, user string) ([]WebMessage, error) {
	key := HistoryKey(user)
	vals, err := s.rdb.LRange(ctx, key, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return s.webMessages(key, vals)
}

// OutboxMax is how many messages an outbox keeps; older ones are dropped
// (they are in the history too).
const OutboxMax = 100

// PushOutbox keeps msgs for user's next visit, the newest OutboxMax.
func (s *Store) PushOutbox(ctx context.Context, user string, msgs []WebMessage) error {
	key := OutboxKey(user)
	vals := make([]any, len(msgs))
	for i, m := range msgs {
		vals[i] = s.webElement(key, m)
	}
	pipe := s.rdb.TxPipeline()
	pipe.RPush(ctx, key, vals...)
	pipe.LTrim(ctx, key, -OutboxMax, -1)
	pipe.PExpire(ctx, key, WebHistoryTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("push outbox: %w", err)
	}
	return nil
}

// DrainOutbox takes every message kept for user, oldest first.
func (s *Store) DrainOutbox(ctx context.Context, user string) ([]WebMessage, error) {
	key := OutboxKey(user)
	pipe := s.rdb.TxPipeline()
	get := pipe.LRange(ctx, key, 0, -1)
	pipe.Del(ctx, key)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("drain outbox: %w", err)
	}
	return s.webMessages(key, get.Val())
}

// CountAddr counts a request from a client address and returns how many
// it made in the current window.
func (s *Store) CountAddr(ctx context.Context, addr string, window time.Duration) (int64, error) {
	n, err := countAddr.Run(ctx, s.rdb, []string{ChannelKey("web", "addr:"+addr)}, window.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("count address: %w", err)
	}
	return n, nil
}

// NotifyWeb tells every replica that user has something in their outbox.
func (s *Store) NotifyWeb(ctx context.Context, user string) error {
	if err := s.rdb.Publish(ctx, webEvents, user).Err(); err != nil {
		return fmt.Errorf("notify web: %w", err)
	}
	return nil
}

// WebNotices delivers the users named by NotifyWeb on any replica until ctx
// ends; the channel closes then. A lost connection is re-established by the
// client; notices sent meanwhile are lost, and their messages wait in the
// outbox for the next visit or reconnect of the page.
func (s *Store) WebNotices(ctx context.Context) <-chan string {
	out := make(chan string, 64)
	ps := s.rdb.Subscribe(ctx, webEvents)
	go func() {
		defer close(out)
		defer ps.Close()
		ch := ps.Channel()
		for {
			select {
			case <-ctx.Done():
				return
			case m, ok := <-ch:
				if !ok {
					return
				}
				select {
				case out <- m.Payload:
				default: // a slow reader loses notices, not the messages
				}
			}
		}
	}()
	return out
}

func (s *Store) webElement(key string, m WebMessage) []byte {
	return append([]byte(m.ID+"\n"), s.sealer.seal(key, m.Data)...)
}

func (s *Store) webMessages(key string, vals []string) ([]WebMessage, error) {
	out := make([]WebMessage, 0, len(vals))
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
		out = append(out, WebMessage{ID: string(id), Data: data})
	}
	return out, nil
}
