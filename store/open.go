package store

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Open connects to the Redis that url names. One variable reaches every
// topology:
//
//	redis://[:pass@]host:6379/0                          a single server
//	redis://host:26379?master_name=mymaster&addr=h2:26379  Sentinel
//	redis://host:7000?cluster=true&addr=h2:7001            Cluster
//
// rediss:// enables TLS. The client is returned unchecked: call Ping.
func Open(rawURL string) (redis.UniversalClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password included
		}
		return nil, fmt.Errorf("REDIS_URL %q: %w", redactURL(rawURL), err)
	}
	q := u.Query()
	switch {
	case q.Has("master_name"):
		o, err := redis.ParseFailoverURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL %q (sentinel): %w", redactURL(rawURL), err)
		}
		return redis.NewFailoverClient(o), nil
	case q.Has("cluster"):
		q.Del("cluster")
		u.RawQuery = q.Encode()
		o, err := redis.ParseClusterURL(u.String())
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL %q (cluster): %w", redactURL(rawURL), err)
		}
		return redis.NewClusterClient(o), nil
	default:
		o, err := redis.ParseURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL %q: %w", redactURL(rawURL), err)
		}
		return redis.NewClient(o), nil
	}
}

// Embedded starts an in-process Redis (miniredis): nothing persists past the
// process. stop releases it.
func Embedded() (rdb redis.UniversalClient, stop func(), err error) {
	m, err := miniredis.Run()
	if err != nil {
		return nil, nil, fmt.Errorf("embedded redis: %w", err)
	}
	// miniredis expires keys only when told time has passed: tell it, ten
	// times a second, so TTLs (sessions, rate windows, leases) run in real
	// time as they do on a real Redis.
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				m.FastForward(now.Sub(last))
				last = now
			}
		}
	}()
	c := redis.NewClient(&redis.Options{Addr: m.Addr()})
	var once sync.Once
	return c, func() { once.Do(func() { close(done); c.Close(); m.Close() }) }, nil
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if i := strings.Index(s, "@"); i >= 0 {
			return "…" + s[i:]
		}
		return s
	}
	return u.Redacted()
}
