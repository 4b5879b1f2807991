package store

// Every Redis key loanbot uses is built here and nowhere else.
//
// A user is "channel:id" (tg:12345, wx:openid, web:<id>, cli:name). All keys of
// one user carry the user as a hash tag, so they live in one Redis Cluster slot:
// a multi-key script (save a session and mark a message seen) and a multi-key
// DEL (forget a user) work on a cluster as on a single server.

import (
	"hash/fnv"
	"strconv"
)

const prefix = "lb:"

// SessionKey is a HASH {rev, data}: the dialog session of user, data its JSON.
func SessionKey(user string) string { return prefix + "{" + user + "}:session" }

// SeenKey is a ZSET of the message ids of user handled in the last 24 h,
// scored by the time they were handled (ms), for de-duplication of retries.
func SeenKey(user string) string { return prefix + "{" + user + "}:seen" }

// ReplayKey is a STRING: the id of the last message user sent and the JSON
// of its answer ("<id>\n<json>"), kept 24 h for a delivery retried after a
// crash between saving and sending.
func ReplayKey(user string) string { return prefix + "{" + user + "}:replay" }

// DocKey is a STRING holding one JSON document of user of the given kind
// (the latest negotiation plan: kind "plan").
func DocKey(user, kind string) string { return prefix + "{" + user + "}:doc:" + kind }

// LogKey is a LIST of JSON entries of user of the given kind, newest first
// (call logs: kind "calls").
func LogKey(user, kind string) string { return prefix + "{" + user + "}:log:" + kind }

// UserPattern matches every key of user (for the SCAN that /forget runs after
// deleting the keys it knows, so nothing of the user stays behind).
func UserPattern(user string) string { return prefix + "{" + escapeGlob(user) + "}:*" }

// userKeys lists the keys of user that DeleteUser removes in one DEL.
func userKeys(user string, docKinds, logKinds []string) []string {
	keys := []string{SessionKey(user), SeenKey(user), HistoryKey(user), historyBytesKey(user), OutboxKey(user), QuotaKey(user), InboundKey(user), RateKey(user), RemindersKey(user), ReplayKey(user), RateWarnedKey(user)}
	for _, k := range docKinds {
		keys = append(keys, DocKey(user, k))
	}
	for _, k := range logKinds {
		keys = append(keys, LogKey(user, k))
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

// HistoryKey is a LIST of the last messages shown in the web chat for user
// (JSON), newest last, capped.
func HistoryKey(user string) string { return prefix + "{" + user + "}:history" }

// historyBytesKey is a STRING: the bytes HistoryKey's list holds.
func historyBytesKey(user string) string { return prefix + "{" + user + "}:history:bytes" }

// OutboxKey is a LIST of replies (JSON) that could not be delivered to user
// (closed web page, WeChat's 48-hour window or quota) and wait for their next
// message, oldest first.
func OutboxKey(user string) string { return prefix + "{" + user + "}:outbox" }

// QuotaKey is a ZSET of the proactive messages sent to user on a channel
// with a quota (WeChat customer-service messages), scored by send time (ms).
func QuotaKey(user string) string { return prefix + "{" + user + "}:quota" }

// InboundKey is a HASH of facts about user's last inbound message on a
// channel with a reply window: {at (ms), kind ("text"|"click")}.
func InboundKey(user string) string { return prefix + "{" + user + "}:inbound" }

// RateKey is a STRING counter of user's messages handled in the current
// rate window (incremented by the save script: a retried delivery does not
// count twice).
func RateKey(user string) string { return prefix + "{" + user + "}:rate" }

// RateWarnedKey is a STRING set when user was told they are sending too
// fast, for the rest of the window (one warning, then silence).
func RateWarnedKey(user string) string { return prefix + "{" + user + "}:ratewarned" }

// ChannelKey is a key of a channel adapter's own shared state (an access
// token, a lock, a polling offset): lb:chan:<channel>:<name>.
func ChannelKey(channel, name string) string { return prefix + "chan:" + channel + ":" + name }

// RemindersKey is a HASH of user's reminders: id → JSON.
func RemindersKey(user string) string { return prefix + "{" + user + "}:reminders" }

// SentKey is a STRING set when one notice (occurrence) of a reminder is
// sent, so a second send of the same occurrence is a no-op.
func SentKey(user, occurrence string) string { return prefix + "{" + user + "}:sent:" + occurrence }

// DueKey is a ZSET, one of DueShards: members "user|reminder id", scored by
// when the reminder's next notice is due (ms). A user's reminders are all in
// the shard DueShard(user). ns is "" in production; tests sharing one Redis
// give each store its own due sets.
func DueKey(ns string, shard int) string { return prefix + ns + "due:{" + strconv.Itoa(shard) + "}" }

// DueShards is the number of due sets: dispatchers on several replicas and
// cluster nodes claim from them in parallel.
const DueShards = 8

// DueShard is the due set of user.
func DueShard(user string) int {
	h := fnv.New32a()
	h.Write([]byte(user))
	return int(h.Sum32() % DueShards)
}
