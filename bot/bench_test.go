package bot_test

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"loanbot/bot"
	"loanbot/store"
	"loanbot/store/storetest"
)

// countHook counts round trips to Redis: one per command or pipeline.
type countHook struct{ n atomic.Int64 }

func (h *countHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}
func (h *countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}

// BenchmarkEngineHandle: messages of 1,000 distinct users (each walking the
// test flow: start, name, amount, back, …) sent by 16 concurrent senders
// through the real engine on the Redis of REDIS_URL, its store as `serve`
// has it (with the session cache; NoCache: every load reads Redis). Reports
// messages/s, latency percentiles and Redis round trips per message.
func BenchmarkEngineHandle(b *testing.B) {
	benchHandle(b, func(st *store.Store) *store.Store { return st.WithSessionCache(store.SessionCacheSize) })
}

func BenchmarkEngineHandleNoCache(b *testing.B) {
	benchHandle(b, func(st *store.Store) *store.Store { return st })
}

func benchHandle(b *testing.B, with func(*store.Store) *store.Store) {
	rdb := storetest.Client(b)
	hook := &countHook{}
	rdb.AddHook(hook)
	e := newEngine(b, with(store.New(rdb)))
	const users, senders = 1000, 16
	prefix := storetest.User("bench")
	script := []string{"/t3", "Ann", "3万5", "back", "8000", "skip"}

	var next atomic.Int64
	lat := make([][]time.Duration, senders)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	hook.n.Store(0)
	for s := 0; s < senders; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			local := make([]time.Duration, 0, b.N/senders+1)
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					break
				}
				// Sender s owns users s, s+16, …: a user's messages stay in order.
				u := int(i/senders)%(users/senders)*senders + s
				text := script[(int(i)/users)%len(script)]
				t0 := time.Now()
				_, err := e.Handle(context.Background(), bot.Inbound{Channel: "b", UserID: fmt.Sprintf("%s-%d", prefix, u), Text: text, MessageID: fmt.Sprint(i)})
				local = append(local, time.Since(t0))
				if err != nil {
					b.Error(err)
					return
				}
			}
			lat[s] = local
		}(s)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if len(all) > 0 {
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
		b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(hook.n.Load())/float64(b.N), "roundtrips/msg")
	}
	cleanup(b, rdb, prefix)
}

// BenchmarkEngineManyUsers sends one message for each of 100,000 distinct
// users and reports the process heap after 10,000 and after 100,000: the
// engine keeps nothing per user in memory, so the two stay level.
func BenchmarkEngineManyUsers(b *testing.B) {
	rdb := storetest.Client(b)
	e := newEngine(b, store.New(rdb).WithSessionCache(store.SessionCacheSize))
	prefix := storetest.User("many")
	heap := func() float64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.HeapInuse) / (1 << 20)
	}
	for n := 0; n < b.N; n++ {
		run := func(from, to int) { // 16 senders, one /help per user
			work := make(chan int)
			var wg sync.WaitGroup
			for s := 0; s < 16; s++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for u := range work {
						e.Handle(context.Background(), bot.Inbound{Channel: "b", UserID: fmt.Sprintf("%s-%d-%d", prefix, n, u), Text: "/help"})
					}
				}()
			}
			for u := from; u < to; u++ {
				work <- u
			}
			close(work)
			wg.Wait()
		}
		run(0, 10000)
		b.ReportMetric(heap(), "heapMB@10k")
		run(10000, 100000)
		b.ReportMetric(heap(), "heapMB@100k")
	}
	cleanup(b, rdb, prefix)
}

// cleanup deletes the benchmark's users from the shared Redis.
func cleanup(b *testing.B, rdb redis.UniversalClient, prefix string) {
	if _, err := store.New(rdb).DeleteUsersWithPrefix(context.Background(), "b:"+prefix); err != nil {
		b.Error(err)
	}
}
