package store

import (
	"context"
	"fmt"
)

// Notices tell every replica "user X has something in their outbox", so the
// replica that holds their open connection (a web chat page) sends it. They
// travel on a Pub/Sub channel per chat channel (channelKey(channel, "events")).

// Notify tells every replica that user of channel has something in their
// outbox.
func (s *Store) Notify(ctx context.Context, channel, user string) error {
	if err := s.rdb.Publish(ctx, channelKey(channel, "events"), user).Err(); err != nil {
		return fmt.Errorf("notify %s: %w", channel, err)
	}
	return nil
}

// Notices delivers the users of channel named by Notify on any replica until
// ctx ends; the Go channel closes then. A lost connection is re-established by
// the client; notices sent meanwhile are lost, and their messages wait in the
// outbox for the user's next visit or reconnect.
func (s *Store) Notices(ctx context.Context, channel string) <-chan string {
	out := make(chan string, 64)
	ps := s.rdb.Subscribe(ctx, channelKey(channel, "events"))
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
