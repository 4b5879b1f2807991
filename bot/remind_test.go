package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"loanbot/bot"
	"loanbot/remind"
	"loanbot/store"
	"loanbot/store/storetest"
)

func TestRemindByFreeTextCreatesAMonthlyReminder(t *testing.T) {
	st := storetest.Store(t)
	u := storetest.User("remind")
	transcript(t, newEngine(t, st), u, []step{
		{"/remind", "哪笔欠款"},
		{"微粒贷", "每期要还多少"},
		{"2100", "什么时候还"},
		{"每月31号", "提前多久"},
		{"当天", "几点"},
		{"23:00", "晚上10点到早上8点"},
		{"09:00", "接下来三次提醒"},
	})
	got := chat(t, newEngine(t, st), u, "确认")
	if !strings.Contains(got, "提醒设好了") {
		t.Fatalf("confirm: %s", got)
	}
	ctx := context.Background()
	svc := remind.NewService(st, "Asia/Shanghai")
	rs, err := svc.List(ctx, "test:"+u)
	if err != nil || len(rs) != 1 {
		t.Fatalf("reminders: %v %v", rs, err)
	}
	r := rs[0]
	loc, _ := time.LoadLocation("Asia/Shanghai")
	next := r.Next.At.In(loc)
	last := time.Date(next.Year(), next.Month()+1, 0, 0, 0, 0, 0, loc).Day()
	if !r.Schedule.Monthly || r.Schedule.Day != 31 || r.AmountFen != 210000 || next.Hour() != 9 || next.Day() != last {
		t.Errorf("reminder %+v, next %v: want monthly on the last day at 09:00", r, next)
	}
	// Its next notice is in the due set.
	due, err := st.ClaimDue(ctx, store.DueShard("test:"+u), r.Next.At, time.Second, 10)
	if err != nil || len(due) != 1 || due[0].ID != r.ID {
		t.Errorf("due set: %+v %v", due, err)
	}
	// A new engine (a second run) lists it.
	if got := chat(t, newEngine(t, st), u, "/reminders"); !strings.Contains(got, "每月最后一天") || !strings.Contains(got, "2,100元") {
		t.Errorf("/reminders: %s", got)
	}
}

func TestRemindSeveralOffsetsTypedTogetherAndButtons(t *testing.T) {
	st := storetest.Store(t)
	e := newEngine(t, st)
	u := storetest.User("remind2")
	transcript(t, e, u, []step{
		{"/lang", ""}, {"English", ""},
		{"/remind", "Which debt"},
		{"Jiebei", "How much"},
		{"skip", "When is it due"},
		{"monthly on 15", "How early"},
		{"on the day, 3 days before", "What time"},
		{"3pm", "The next three reminders"},
		{"Confirm", "reminder is set"},
		{"/reminders", "every month on the 15, at 15:00"},
	})
	svc := remind.NewService(st, "Asia/Shanghai")
	rs, _ := svc.List(context.Background(), "test:"+u)
	if len(rs) != 1 || len(rs[0].Schedule.Offsets) != 2 {
		t.Fatalf("reminders: %+v", rs)
	}
	id := rs[0].ID
	for _, tc := range []struct{ payload, want string }{
		{"rm:pause:" + id, "paused"},
		{"rm:resume:" + id, "resumed"},
		{"rm:snooze:" + id, "remind you again"},
		{"rm:paid:" + id + ":" + rs[0].Next.Period, "is paid"},
		{"rm:del:" + id, "Reminder deleted"},
		{"rm:del:" + id, "no longer exists"},      // deleted already: not "deleted" again
		{"rm:del:nosuchid00", "no longer exists"}, // never was
	} {
		reps, err := e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Payload: tc.payload})
		if got := render(reps); err != nil || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %s (err %v)", tc.payload, got, err)
		}
	}
}

func TestRemindFromPlanIsPrefilled(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	u := storetest.User("remind-plan")
	for _, s := range []string{"/prep", "微粒贷", "3万5", "两个月", "8000", "5000", "skip", "失业", "分期", "确认"} {
		chat(t, e, u, s)
	}
	reps, _ := e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Payload: "cmd:/remind plan"})
	if got := render(reps); !strings.Contains(got, "什么时候还") {
		t.Fatalf("from a plan the loan and amount are known: %s", got)
	}
	transcript(t, e, u, []step{{"back", "每期要还多少"}, {"back", "哪笔欠款"}})
}

func TestForgetRemovesPlansLogsRemindersAndDueEntries(t *testing.T) {
	st := storetest.Store(t)
	e := newEngine(t, st)
	u := storetest.User("forget-all")
	for _, s := range []string{"/prep", "微粒贷", "3万5", "两个月", "8000", "5000", "skip", "失业", "分期", "确认",
		"/log", "刚刚", "微粒贷", "A1", "分期", "同意", "skip", "skip",
		"/remind", "微粒贷", "2100", "每月15号", "当天", "09:00", "确认"} {
		chat(t, e, u, s)
	}
	ctx := context.Background()
	user := "test:" + u
	rs, _ := remind.NewService(st, "Asia/Shanghai").List(ctx, user)
	if len(rs) != 1 {
		t.Fatalf("setup: %d reminders", len(rs))
	}
	transcript(t, e, u, []step{{"/forget", "确定要删除"}, {"确认", "已删除"}})
	if n, _ := st.UserKeyCount(ctx, user); n != 0 {
		t.Errorf("%d keys of the user left", n)
	}
	due, _ := st.ClaimDue(ctx, store.DueShard(user), rs[0].Next.At.Add(time.Hour), time.Second, 100)
	for _, d := range due {
		if d.User == user {
			t.Errorf("the due set still holds %s", d.ID)
		}
	}
}
