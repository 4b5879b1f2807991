package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Due is a claimed reminder: whose, which, and when it was due.
type Due struct {
	User string
	ID   string
	At   time.Time
}

func dueMember(user, id string) string { return user + "|" + id }

// PutReminder stores a reminder's JSON and schedules its next notice at
// next (zero: not scheduled, e.g. paused or finished).
func (s *Store) PutReminder(ctx context.Context, user, id string, data []byte, next time.Time) error {
	if err := s.rdb.HSet(ctx, remindersKey(user), id, s.sealer.seal(remindersKey(user), data)).Err(); err != nil {
		return fmt.Errorf("put reminder: %w", err)
	}
	return s.Schedule(ctx, user, id, next)
}

// Schedule sets when reminder id of user is next due (zero: unscheduled).
func (s *Store) Schedule(ctx context.Context, user, id string, next time.Time) error {
	var err error
	if next.IsZero() {
		err = s.rdb.ZRem(ctx, dueKey(s.ns, DueShard(user)), dueMember(user, id)).Err()
	} else {
		err = s.rdb.ZAdd(ctx, dueKey(s.ns, DueShard(user)), redis.Z{Score: float64(next.UnixMilli()), Member: dueMember(user, id)}).Err()
	}
	if err != nil {
		return fmt.Errorf("schedule reminder: %w", err)
	}
	return nil
}

// Reminder returns one reminder's JSON, or nil when there is none.
func (s *Store) Reminder(ctx context.Context, user, id string) ([]byte, error) {
	b, err := s.rdb.HGet(ctx, remindersKey(user), id).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get reminder: %w", err)
	}
	if b, err = s.sealer.open(remindersKey(user), b); err != nil {
		return nil, fmt.Errorf("get reminder: %w", err)
	}
	return b, nil
}

// Reminders returns all of user's reminders' JSON by id.
func (s *Store) Reminders(ctx context.Context, user string) (map[string][]byte, error) {
	m, err := s.rdb.HGetAll(ctx, remindersKey(user)).Result()
	if err != nil {
		return nil, fmt.Errorf("list reminders: %w", err)
	}
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		plain, err := s.sealer.open(remindersKey(user), []byte(v))
		if err != nil {
			return nil, fmt.Errorf("list reminders: %w", err)
		}
		out[k] = plain
	}
	return out, nil
}

// DeleteReminder removes a reminder and its place in the due set; false
// when user had no reminder id.
func (s *Store) DeleteReminder(ctx context.Context, user, id string) (bool, error) {
	n, err := s.rdb.HDel(ctx, remindersKey(user), id).Result()
	if err != nil {
		return false, fmt.Errorf("delete reminder: %w", err)
	}
	return n == 1, s.Schedule(ctx, user, id, time.Time{})
}

// ClaimDue leases up to max reminders of a due set that are due at now.
func (s *Store) ClaimDue(ctx context.Context, shard int, now time.Time, lease time.Duration, max int) ([]Due, error) {
	res, err := claimDue.Run(ctx, s.rdb, []string{dueKey(s.ns, shard)}, now.UnixMilli(), lease.Milliseconds(), max).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("claim due reminders: %w", err)
	}
	out := make([]Due, 0, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		j := strings.LastIndexByte(res[i], '|')
		ms, _ := strconv.ParseFloat(res[i+1], 64)
		if j < 0 {
			continue
		}
		out = append(out, Due{User: res[i][:j], ID: res[i][j+1:], At: time.UnixMilli(int64(ms))})
	}
	return out, nil
}

// Mark states of an occurrence (MarkSent).
const (
	MarkTaken   = 1  // the caller is to send it
	MarkSent    = 0  // it was sent (confirmed): skip it
	MarkPending = -1 // another sender is sending it, or died doing so: leave it for later
)

// markSent takes an occurrence for sending with a mark ("p") that lasts
// ttl, unless it is marked already.
//
// KEYS[1] sent key; ARGV[1] ttl (ms)
var markSent = redis.NewScript(`
if redis.call('SET', KEYS[1], 'p', 'NX', 'PX', ARGV[1]) then return 1 end
if redis.call('GET', KEYS[1]) == 'p' then return -1 end
return 0
`)

// MarkSent takes an occurrence for sending: MarkTaken, or MarkSent when it
// was sent, or MarkPending while another sender's mark lasts (it expires
// with that sender's lease, so a sender that died mid-send does not lose
// the notice).
func (s *Store) MarkSent(ctx context.Context, user, occurrence string, ttl time.Duration) (int, error) {
	n, err := markSent.Run(ctx, s.rdb, []string{sentKey(user, occurrence)}, ttl.Milliseconds()).Int()
	if err != nil {
		return 0, fmt.Errorf("mark sent: %w", err)
	}
	return n, nil
}

// ConfirmSent turns a mark into a lasting one once the occurrence is
// delivered (MarkSent's mark lasts only as long as the claim's lease, so a
// dispatcher killed mid-send leaves the occurrence to be sent again).
func (s *Store) ConfirmSent(ctx context.Context, user, occurrence string, keep time.Duration) error {
	if err := s.rdb.Set(ctx, sentKey(user, occurrence), "1", keep).Err(); err != nil {
		return fmt.Errorf("confirm sent: %w", err)
	}
	return nil
}

// UnmarkSent forgets a mark after a send that failed, so it is retried.
func (s *Store) UnmarkSent(ctx context.Context, user, occurrence string) error {
	return s.rdb.Del(ctx, sentKey(user, occurrence)).Err()
}

// unscheduleAll removes user's reminders from their due set (DeleteUser).
func (s *Store) unscheduleAll(ctx context.Context, user string) error {
	ids, err := s.rdb.HKeys(ctx, remindersKey(user)).Result()
	if err != nil || len(ids) == 0 {
		return err
	}
	members := make([]any, len(ids))
	for i, id := range ids {
		members[i] = dueMember(user, id)
	}
	return s.rdb.ZRem(ctx, dueKey(s.ns, DueShard(user)), members...).Err()
}
