package store

// Every Redis key loanbot uses is built here and nowhere else.
//
// A user is "channel:id" (tg:12345, wx:openid, web:<id>, cli:name). All keys of
// one user carry the user as a hash tag, so they live in one Redis Cluster slot:
// a multi-key script (save a session and mark a message seen) and a multi-key
// DEL (forget a user) work on a cluster as on a single server.

import (
	"fmt"
	"hash/fnv"
	"strconv"
)

const prefix = "lb:"

// sessionKey is a HASH {rev, data}: the dialog session of user, data its JSON.
func sessionKey(user string) string { return prefix + "{" + user + "}:session" }

// seenKey is a ZSET of the message ids of user handled in the last 24 h,
// scored by the time they were handled (ms), for de-duplication of retries.
func seenKey(user string) string { return prefix + "{" + user + "}:seen" }

// replayKey is a STRING: the id of the last message user sent and the JSON
// of its answer ("<id>\n<json>"), kept 24 h for a delivery retried after a
// crash between saving and sending.
func replayKey(user string) string { return prefix + "{" + user + "}:replay" }

// docKey is a STRING holding one JSON document of user of the given kind
// (the latest negotiation plan: kind "plan").
func docKey(user, kind string) string { return prefix + "{" + user + "}:doc:" + kind }

// logKey is a LIST of JSON entries of user of the given kind, newest first
// (call logs: kind "calls").
func logKey(user, kind string) string { return prefix + "{" + user + "}:log:" + kind }

// userPattern matches every key of user (for the SCAN that /forget runs after
// deleting the keys it knows, so nothing of the user stays behind).
func userPattern(user string) string { return prefix + "{" + escapeGlob(user) + "}:*" }

// usersPattern matches every key of every user whose id starts with idPrefix
// (load tools' clean-up).
func usersPattern(idPrefix string) string { return prefix + "{" + escapeGlob(idPrefix) + "*" }

// userKeys lists the keys of user that DeleteUser removes in one DEL.
func userKeys(user string, docKinds, logKinds []string) []string {
	keys := []string{sessionKey(user), seenKey(user), historyKey(user), historyBytesKey(user), outboxKey(user), quotaKey(user), inboundKey(user), rateKey(user), remindersKey(user), replayKey(user), rateWarnedKey(user)}
	for _, k := range docKinds {
		keys = append(keys, docKey(user, k))
	}
	for _, k := range logKinds {
		keys = append(keys, logKey(user, k))
	}
	return keys
}

func escapeGlob(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', ']', '\\':
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// historyKey is a LIST of the last messages shown to user (the web chat's
// history), newest last, capped: elements "<id>\n<sealed body>".
func historyKey(user string) string { return prefix + "{" + user + "}:history" }

// historyBytesKey is a STRING: the bytes historyKey's list holds.
func historyBytesKey(user string) string { return prefix + "{" + user + "}:history:bytes" }

// outboxKey is a LIST of replies (JSON) that could not be delivered to user
// (closed web page, WeChat's 48-hour window or quota) and wait for their next
// message, oldest first.
func outboxKey(user string) string { return prefix + "{" + user + "}:outbox" }

// quotaKey is a ZSET of the proactive messages sent to user on a channel
// with a quota (WeChat customer-service messages), scored by send time (ms).
func quotaKey(user string) string { return prefix + "{" + user + "}:quota" }

// inboundKey is a HASH of facts about user's last inbound message on a
// channel with a reply window: {at (ms), kind ("text"|"click")}.
func inboundKey(user string) string { return prefix + "{" + user + "}:inbound" }

// rateKey is a STRING counter of user's messages handled in the current
// rate window (incremented by the save script: a retried delivery does not
// count twice).
func rateKey(user string) string { return prefix + "{" + user + "}:rate" }

// rateWarnedKey is a STRING set when user was told they are sending too
// fast, for the rest of the window (one warning, then silence).
func rateWarnedKey(user string) string { return prefix + "{" + user + "}:ratewarned" }

// channelKey is a key of a channel adapter's own shared state (a secret, an
// access token, a lock, a claim-once mark, a counter, the Pub/Sub channel
// of notices): lb:chan:<channel>:<name>.
func channelKey(channel, name string) string { return prefix + "chan:" + channel + ":" + name }

// remindersKey is a HASH of user's reminders: id → JSON.
func remindersKey(user string) string { return prefix + "{" + user + "}:reminders" }

// sentKey is a STRING set when one notice (occurrence) of a reminder is
// sent, so a second send of the same occurrence is a no-op.
func sentKey(user, occurrence string) string { return prefix + "{" + user + "}:sent:" + occurrence }

// dueKey is a ZSET, one of DueShards: members "user|reminder id", scored by
// when the reminder's next notice is due (ms). A user's reminders are all in
// the shard DueShard(user). ns is "" in production; tests sharing one Redis
// give each store its own due sets.
func dueKey(ns string, shard int) string { return prefix + ns + "due:{" + strconv.Itoa(shard) + "}" }

// DueShards is the number of due sets: dispatchers on several replicas and
// cluster nodes claim from them in parallel.
const DueShards = 8

// DueShard is the due set of user.
func DueShard(user string) int {
	h := fnv.New32a()
	h.Write([]byte(user))
	return int(h.Sum32() % DueShards)
}

// UserKey names one of a user's keys for KeyOf.
type UserKey string

// The keys of a user that KeyOf names (see the functions above for what
// each holds).
const (
	KeySession    UserKey = "session"
	KeySeen       UserKey = "seen"
	KeyReplay     UserKey = "replay"
	KeyHistory    UserKey = "history"
	KeyOutbox     UserKey = "outbox"
	KeyQuota      UserKey = "quota"
	KeyInbound    UserKey = "inbound"
	KeyRate       UserKey = "rate"
	KeyRateWarned UserKey = "ratewarned"
	KeyReminders  UserKey = "reminders"
)

// KeyOf returns the Redis key of user named k, for tests of other packages
// that look at Redis itself (a TTL, a raw size). Code reads and writes
// through the Store's methods instead. An unknown k panics.
func KeyOf(k UserKey, user string) string {
	f, ok := map[UserKey]func(string) string{
		KeySession: sessionKey, KeySeen: seenKey, KeyReplay: replayKey,
		KeyHistory: historyKey, KeyOutbox: outboxKey, KeyQuota: quotaKey,
		KeyInbound: inboundKey, KeyRate: rateKey, KeyRateWarned: rateWarnedKey,
		KeyReminders: remindersKey,
	}[k]
	if !ok {
		panic(fmt.Sprintf("store: no user key %q", k))
	}
	return f(user)
}
