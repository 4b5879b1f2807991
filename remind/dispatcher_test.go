package remind_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"loanbot/msg"
	"loanbot/remind"
	"loanbot/store"
	"loanbot/store/storetest"
)

// clock is a fake clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func at(loc *time.Location, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

// outbox is a fake Sender that records what it was asked to send.
type outbox struct {
	mu   sync.Mutex
	sent []string // "user: text"
	err  error
}

func (o *outbox) Send(ctx context.Context, user string, reps []msg.Reply) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return o.err
	}
	for _, r := range reps {
		o.sent = append(o.sent, user+": "+r.Text)
	}
	return nil
}

func (o *outbox) texts() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.sent...)
}

type fixture struct {
	st   *store.Store
	svc  *remind.Service
	clk  *clock
	out  *outbox
	disp *remind.Dispatcher
	loc  *time.Location
}

func newFixture(t *testing.T, start string) *fixture {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	f := &fixture{st: storetest.Store(t), clk: &clock{}, out: &outbox{}, loc: loc}
	f.clk.Set(at(loc, start))
	f.svc = remind.NewService(f.st, "Asia/Shanghai")
	f.disp = f.dispatcher()
	return f
}

func (f *fixture) dispatcher() *remind.Dispatcher {
	return remind.NewDispatcher(f.svc, map[string]remind.Sender{"t": f.out}, remind.WithClock(f.clk.Now), remind.WithLease(time.Minute))
}

func (f *fixture) tick(t *testing.T) int {
	t.Helper()
	n, err := f.disp.Tick(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func monthly(day int, offsets ...int) *remind.Reminder {
	return &remind.Reminder{Lender: "weilidai", AmountFen: 210000, Schedule: remind.Schedule{Monthly: true, Day: day, Offsets: offsets, Hour: 9}}
}

func TestMonthlyReminderFiresOnTimeAndOnlyOnce(t *testing.T) {
	f := newFixture(t, "2027-01-20 12:00")
	ctx := context.Background()
	u := "t:" + storetest.User("monthly")
	r := monthly(31, 0)
	if err := f.svc.Save(ctx, u, r, f.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if got := r.Next.At.In(f.loc).Format("2006-01-02 15:04"); got != "2027-01-31 09:00" {
		t.Fatalf("next = %s", got)
	}
	f.clk.Set(at(f.loc, "2027-01-31 08:59"))
	if n := f.tick(t); n != 0 {
		t.Fatalf("sent %d a minute early", n)
	}
	f.clk.Set(at(f.loc, "2027-01-31 09:00"))
	if n := f.tick(t); n != 1 {
		t.Fatalf("sent %d at 09:00, want 1", n)
	}
	if n := f.tick(t); n != 0 {
		t.Fatalf("sent again: %d", n)
	}
	got := f.out.texts()
	if len(got) != 1 || !strings.Contains(got[0], "微粒贷") || !strings.Contains(got[0], "2,100元") || !strings.Contains(got[0], "1月31日") {
		t.Fatalf("message: %q", got)
	}
	// February of 2027 has 28 days: the next notice is on the 28th.
	r, _ = f.svc.Get(ctx, u, r.ID)
	if got := r.Next.At.In(f.loc).Format("2006-01-02 15:04"); got != "2027-02-28 09:00" {
		t.Errorf("after January: next = %s", got)
	}
}

func TestPaidSkipsTheRestOfThePeriod(t *testing.T) {
	f := newFixture(t, "2027-03-01 12:00")
	ctx := context.Background()
	u := "t:" + storetest.User("paid")
	r := monthly(10, 3, 1, 0)
	f.svc.Save(ctx, u, r, f.clk.Now())
	f.clk.Set(at(f.loc, "2027-03-07 09:00"))
	if n := f.tick(t); n != 1 {
		t.Fatalf("3 days before: sent %d", n)
	}
	if _, err := f.svc.Paid(ctx, u, r.ID, "2027-03-10", f.clk.Now()); err != nil {
		t.Fatal(err)
	}
	for _, day := range []string{"2027-03-09 09:00", "2027-03-10 09:00"} {
		f.clk.Set(at(f.loc, day))
		if n := f.tick(t); n != 0 {
			t.Errorf("%s: sent %d after the period was paid", day, n)
		}
	}
	r, _ = f.svc.Get(ctx, u, r.ID)
	if r.Next.Period != "2027-04-10" || r.Next.Offset != 3 {
		t.Errorf("next after paying March: %+v", r.Next)
	}
}

func TestSnoozeAndQuietHours(t *testing.T) {
	f := newFixture(t, "2027-03-01 12:00")
	ctx := context.Background()
	u := "t:" + storetest.User("snooze")
	r := monthly(10, 0)
	f.svc.Save(ctx, u, r, f.clk.Now())
	f.clk.Set(at(f.loc, "2027-03-10 09:00"))
	f.tick(t)
	f.clk.Set(at(f.loc, "2027-03-10 21:00"))
	r, _ = f.svc.Snooze(ctx, u, r.ID, f.clk.Now())
	if got := r.Next.At.In(f.loc).Format("2006-01-02 15:04"); got != "2027-03-11 08:00" {
		t.Fatalf("snoozed at 21:00 → %s, want 08:00 next morning", got)
	}
	f.clk.Set(at(f.loc, "2027-03-11 07:59"))
	if n := f.tick(t); n != 0 {
		t.Fatal("sent in quiet hours")
	}
	f.clk.Set(at(f.loc, "2027-03-11 08:00"))
	if n := f.tick(t); n != 1 {
		t.Fatalf("snoozed notice: sent %d", n)
	}
	if len(f.out.texts()) != 2 {
		t.Errorf("messages: %q", f.out.texts())
	}
}

func TestPauseResumeDelete(t *testing.T) {
	f := newFixture(t, "2027-03-01 12:00")
	ctx := context.Background()
	u := "t:" + storetest.User("pause")
	r := monthly(10, 0)
	f.svc.Save(ctx, u, r, f.clk.Now())
	f.svc.SetPaused(ctx, u, r.ID, true, f.clk.Now())
	f.clk.Set(at(f.loc, "2027-03-10 09:00"))
	if n := f.tick(t); n != 0 {
		t.Fatal("a paused reminder was sent")
	}
	f.clk.Set(at(f.loc, "2027-03-20 09:00"))
	r, _ = f.svc.SetPaused(ctx, u, r.ID, false, f.clk.Now())
	if r.Next.Period != "2027-04-10" {
		t.Errorf("resumed: next %+v", r.Next)
	}
	f.svc.Delete(ctx, u, r.ID)
	f.clk.Set(at(f.loc, "2027-04-10 09:00"))
	if n := f.tick(t); n != 0 {
		t.Fatal("a deleted reminder was sent")
	}
}

func TestTwoDispatchersSendEachNoticeExactlyOnce(t *testing.T) {
	f := newFixture(t, "2027-05-01 12:00")
	ctx := context.Background()
	const users = 200
	for i := 0; i < users; i++ {
		u := "t:" + storetest.User("race")
		if err := f.svc.Save(ctx, u, monthly(2, 0), f.clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	f.clk.Set(at(f.loc, "2027-05-02 09:00"))
	d1, d2 := f.dispatcher(), f.dispatcher()
	var wg sync.WaitGroup
	for _, d := range []*remind.Dispatcher{d1, d2, d1, d2} {
		wg.Add(1)
		go func(d *remind.Dispatcher) {
			defer wg.Done()
			if _, err := d.Tick(ctx); err != nil {
				t.Error(err)
			}
		}(d)
	}
	wg.Wait()
	if got := len(f.out.texts()); got != users {
		t.Errorf("%d messages for %d due notices", got, users)
	}
}

func TestDispatcherKilledAfterClaimRedeliversOnceAfterTheLease(t *testing.T) {
	f := newFixture(t, "2027-05-01 12:00")
	ctx := context.Background()
	u := "t:" + storetest.User("crash")
	r := monthly(2, 0)
	f.svc.Save(ctx, u, r, f.clk.Now())
	f.clk.Set(at(f.loc, "2027-05-02 09:00"))
	// A dispatcher claims and dies before sending.
	claimed, err := f.st.ClaimDue(ctx, store.DueShard(u), f.clk.Now(), time.Minute, 100)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	if n := f.tick(t); n != 0 {
		t.Fatal("sent while the dead dispatcher's lease holds")
	}
	f.clk.Add(61 * time.Second)
	if n := f.tick(t); n != 1 {
		t.Fatalf("after the lease: sent %d, want 1", n)
	}
	f.clk.Add(2 * time.Minute)
	if n := f.tick(t); n != 0 || len(f.out.texts()) != 1 {
		t.Fatalf("sent again: %q", f.out.texts())
	}
}

// A dispatcher that dies in the middle of sending (after marking the
// notice, before it reached the user): its mark lasts only its lease, so
// another dispatcher sends the notice after the lease, once; it is not lost.
func TestDispatcherKilledWhileSendingSendsAfterTheLease(t *testing.T) {
	f := newFixture(t, "2027-05-01 12:00")
	ctx := context.Background()
	u := "t:" + storetest.User("crashsend")
	f.svc.Save(ctx, u, monthly(2, 0), f.clk.Now())
	f.clk.Set(at(f.loc, "2027-05-02 09:00"))
	stuck := &stuckSender{entered: make(chan struct{})}
	// A lease of 300 ms: its mark expires in Redis in real time.
	dying := remind.NewDispatcher(f.svc, map[string]remind.Sender{"t": stuck}, remind.WithClock(f.clk.Now), remind.WithLease(300*time.Millisecond))
	dctx, kill := context.WithCancel(ctx)
	go dying.Tick(dctx)
	<-stuck.entered // it has marked the notice and is sending: it dies here
	kill()
	// Its claim's lease is over, its mark not yet: another dispatcher must
	// leave the notice (dropping it here is how it got lost).
	f.clk.Add(time.Second)
	if n := f.tick(t); n != 0 {
		t.Fatalf("sent %d while the dead dispatcher's mark lasts", n)
	}
	time.Sleep(700 * time.Millisecond) // the 300 ms mark expires (the embedded Redis' clock moves every 100 ms)
	f.clk.Add(61 * time.Second)
	if n := f.tick(t); n != 1 {
		t.Fatalf("after the lease: sent %d, want 1 (the notice was lost)", n)
	}
	f.clk.Add(2 * time.Minute)
	if n := f.tick(t); n != 0 || len(f.out.texts()) != 1 {
		t.Fatalf("sent again: %q", f.out.texts())
	}
}

// stuckSender never delivers: it blocks until its context ends, as a
// process killed mid-send never returns.
type stuckSender struct {
	once    sync.Once
	entered chan struct{}
}

func (s *stuckSender) Send(ctx context.Context, _ string, _ []msg.Reply) error {
	s.once.Do(func() { close(s.entered) })
	<-ctx.Done()
	select {} // a killed process does nothing more: no unmarking
}

func TestCatchUpAfterDowntime(t *testing.T) {
	f := newFixture(t, "2027-05-01 12:00")
	ctx := context.Background()
	u := "t:" + storetest.User("late")
	f.svc.Save(ctx, u, monthly(2, 0), f.clk.Now())
	f.svc.Save(ctx, u, &remind.Reminder{Lender: "jiebei", AmountFen: 50000, Schedule: remind.Schedule{Date: "2027-05-03", Offsets: []int{0}, Hour: 10}}, f.clk.Now())
	// Down from before May 2 09:00 until May 3 11:00: the May 2 notice is
	// 26 h late (folded), the May 3 one an hour late (sent, marked late).
	f.clk.Set(at(f.loc, "2027-05-03 11:00"))
	if n := f.tick(t); n != 2 {
		t.Fatalf("sent %d messages, want 2: %q", n, f.out.texts())
	}
	all := strings.Join(f.out.texts(), "\n")
	if !strings.Contains(all, "晚了") || !strings.Contains(all, "我不在的时候") {
		t.Errorf("late wording missing: %s", all)
	}
}

func TestBlockedUserGetsRemindersPaused(t *testing.T) {
	f := newFixture(t, "2027-05-01 12:00")
	ctx := context.Background()
	u := "t:" + storetest.User("blocked")
	r := monthly(2, 0)
	f.svc.Save(ctx, u, r, f.clk.Now())
	f.out.err = msg.ErrBlocked
	f.clk.Set(at(f.loc, "2027-05-02 09:00"))
	f.tick(t)
	r, _ = f.svc.Get(ctx, u, r.ID)
	if !r.Paused {
		t.Error("reminders of a user who blocked the bot must be paused")
	}
	f.out.err = errors.New("network down")
	u2 := "t:" + storetest.User("retry")
	r2 := monthly(2, 0)
	f.svc.Save(ctx, u2, r2, at(f.loc, "2027-05-01 12:00"))
	if _, err := f.disp.Tick(ctx); err == nil {
		t.Error("a failed send must be reported")
	}
	f.out.err = nil
	f.clk.Add(61 * time.Second)
	if n := f.tick(t); n != 1 {
		t.Errorf("after a failed send, retried: %d", n)
	}
}

// With a shared budget a tick claims a minute of sending at most: the next
// dispatcher (another replica) takes the rest of the burst.
func TestSharedBudgetLeavesTheRestOfABurstToOthers(t *testing.T) {
	f := newFixture(t, "2027-05-01 12:00")
	ctx := context.Background()
	const users = 150
	for i := 0; i < users; i++ {
		if err := f.svc.Save(ctx, "t:"+storetest.User("budget"), monthly(2, 0), f.clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	f.clk.Set(at(f.loc, "2027-05-02 09:00"))
	budget := func() *remind.Dispatcher {
		return remind.NewDispatcher(f.svc, map[string]remind.Sender{"t": f.out}, remind.WithClock(f.clk.Now), remind.WithSharedBudget(1))
	}
	first, err := budget().Tick(ctx)
	if err != nil || first != 60 {
		t.Fatalf("the first replica sent %d (%v), want a minute's worth: 60", first, err)
	}
	second, _ := budget().Tick(ctx)
	third, _ := budget().Tick(ctx)
	if first+second+third != users || len(f.out.texts()) != users {
		t.Errorf("%d + %d + %d sent, %d texts, want %d once each", first, second, third, len(f.out.texts()), users)
	}
}
