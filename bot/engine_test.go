package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"loanbot/bot"
	"loanbot/dialogs"
	"loanbot/remind"
	"loanbot/store"
	"loanbot/store/storetest"
)

// newEngine builds an engine with the product's flows plus the test flows,
// on st, without an FAQ (free text gets the topic menu).
func newEngine(t testing.TB, st bot.Store) *bot.Engine {
	t.Helper()
	reg, err := dialogs.NewRegistry(append(dialogs.All(), threeStep, counter)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range testCommands {
		if err := reg.AddCommand(c); err != nil {
			t.Fatal(err)
		}
	}
	opts := []bot.Option{bot.WithFlows(reg)}
	if rs, ok := st.(remind.Store); ok {
		opts = append(opts, bot.WithReminders(remind.NewService(rs, "Asia/Shanghai")))
	}
	e, err := bot.New(st, nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// chat sends text as user and returns the replies' texts and button labels
// as one string (what a terminal user would read).
func chat(t testing.TB, e *bot.Engine, user, text string) string {
	t.Helper()
	reps, err := e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: user, Text: text})
	if err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	return render(reps)
}

func render(reps []bot.Reply) string {
	var b strings.Builder
	for _, r := range reps {
		b.WriteString(r.Text)
		for _, bt := range r.Flat() {
			b.WriteString(" [" + bt.Label + "]")
		}
		b.WriteString("\n")
	}
	return b.String()
}

type step struct{ say, want string }

func transcript(t *testing.T, e *bot.Engine, user string, steps []step) {
	t.Helper()
	for i, s := range steps {
		got := chat(t, e, user, s.say)
		if !strings.Contains(got, s.want) {
			t.Fatalf("step %d: said %q, got:\n%s\nwant it to contain %q", i, s.say, got, s.want)
		}
	}
}

func TestThreeStepFlowWithBackSkipInvalidAndCancel(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	u := storetest.User("t3")
	transcript(t, e, u, []step{
		{"/t3", "怎么称呼你"},      // step 1: name
		{"Ann", "欠了多少"},       // step 2: amount
		{"a lot", "这个回答我没看懂"}, // invalid: explained...
		{"a lot", "例如：跳过"},    // ...with an example
		{"返回", "怎么称呼你"},       // back to step 1
		{"Bob", "欠了多少"},       // step 2 again
		{"3万5", "选一个颜色"},      // step 3: colour, optional
		{"back", "欠了多少"},      // back from 3 to 2
		{"1.2k", "[跳过]"},      // the optional step offers skip
		{"skip", "DONE name=Bob fen=120000 colour="},
		{"/t3", "怎么称呼你"},
		{"Cid", "欠了多少"},
		{"取消", "已退出"},
		{"/cancel", "没有进行中的步骤"},
	})
}

func TestButtonByNumberLabelOrPayload(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	for _, tc := range []struct{ name, answer, want string }{
		{"number", "2", "colour=blue"},
		{"label", "蓝色", "colour=blue"},
		{"alias", "红", "colour=red"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := storetest.User("btn")
			transcript(t, e, u, []step{{"/t3", "怎么称呼你"}, {"Ann", "欠了多少"}, {"500", "选一个颜色"}, {tc.answer, tc.want}})
		})
	}
	// A number in a numeric step is an amount, not button 1.
	u := storetest.User("numeric")
	transcript(t, e, u, []step{{"/t3", "怎么称呼你"}, {"Ann", "欠了多少"}, {"1", "选一个颜色"}, {"skip", "fen=100 "}})
	// A tapped payload.
	u = storetest.User("tap")
	transcript(t, e, u, []step{{"/t3", ""}, {"Ann", ""}, {"8", ""}})
	reps, _ := e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Payload: "c:red"})
	if got := render(reps); !strings.Contains(got, "colour=red") {
		t.Errorf("tap c:red: %s", got)
	}
}

func TestFlowResumesInANewEngine(t *testing.T) {
	st := storetest.Store(t)
	u := storetest.User("resume")
	transcript(t, newEngine(t, st), u, []step{{"/t3", "怎么称呼你"}, {"Ann", "欠了多少"}})
	// "Restart": a new engine, nothing in memory, the same Redis.
	transcript(t, newEngine(t, st), u, []step{{"2万", "选一个颜色"}, {"蓝", "DONE name=Ann fen=2000000 colour=blue"}})
}

func TestOldFlowVersionRestartsWithApology(t *testing.T) {
	st := storetest.Store(t)
	u := storetest.User("version")
	e := newEngine(t, st)
	chat(t, e, u, "/t3")
	chat(t, e, u, "Ann")
	ctx := context.Background()
	s, _, _ := st.Load(ctx, "test:"+u, "")
	s.FlowVersion = 1 // saved by an older release
	if err := st.Save(ctx, "test:"+u, s, "", s.UpdatedAt); err != nil {
		t.Fatal(err)
	}
	transcript(t, e, u, []step{{"100", "这个流程刚更新过"}, {"Bob", "欠了多少"}})
}

func TestHundredConcurrentMessagesInOrderNoneLost(t *testing.T) {
	st := storetest.Store(t)
	e := newEngine(t, st)
	u := storetest.User("order")
	chat(t, e, u, "/count")
	before, _, _ := st.Load(context.Background(), "test:"+u, "")

	results := make([]<-chan bot.Result, 100)
	for i := range results { // arrival order = the order of Enqueue calls
		results[i] = e.Enqueue(context.Background(), bot.Inbound{Channel: "test", UserID: u, Text: fmt.Sprint(i + 1), MessageID: fmt.Sprint("m", i)})
	}
	for i, ch := range results {
		r := <-ch
		if r.Err != nil {
			t.Fatalf("message %d: %v", i+1, r.Err)
		}
		if got := render(r.Replies); !strings.Contains(got, fmt.Sprintf("例如：%d [", i+1)) || strings.Contains(got, "BAD") {
			t.Fatalf("message %d handled out of order: %s", i+1, got)
		}
	}
	after, _, _ := st.Load(context.Background(), "test:"+u, "")
	if after.Rev-before.Rev != 100 {
		t.Errorf("rev rose by %d, want exactly 100", after.Rev-before.Rev)
	}
}

func TestTwoEnginesRacingLoseNoUpdate(t *testing.T) {
	rdb := storetest.Client(t)
	e1, e2 := newEngine(t, store.New(rdb)), newEngine(t, store.New(rdb))
	u := storetest.User("race")
	chat(t, e1, u, "/t3")
	chat(t, e1, u, "Ann")
	st := store.New(rdb)
	before, _, _ := st.Load(context.Background(), "test:"+u, "")
	// Both replicas handle 50 messages each for the same user at once; every
	// message is "back" or an amount, so the flow bounces between steps.
	var wg sync.WaitGroup
	for _, e := range []*bot.Engine{e1, e2} {
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func(e *bot.Engine, i int) {
				defer wg.Done()
				text := "back"
				if i%2 == 0 {
					text = "/help"
				}
				if _, err := e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Text: text, MessageID: fmt.Sprintf("%p-%d", e, i)}); err != nil {
					t.Error(err)
				}
			}(e, i)
		}
	}
	wg.Wait()
	after, _, _ := st.Load(context.Background(), "test:"+u, "")
	if after.Rev-before.Rev != 100 {
		t.Errorf("rev rose by %d after 100 messages on two engines, want 100 (an update was lost)", after.Rev-before.Rev)
	}
}

// A message delivered several times (webhook retries, on two replicas)
// changes the state once; a retry of the last message gets the same answer
// again, since the first delivery may have died before sending it.
func TestSameMessageTwiceChangesStateOnceAndGetsTheSameAnswer(t *testing.T) {
	st := storetest.Store(t)
	e1, e2 := newEngine(t, st), newEngine(t, st)
	u := storetest.User("dup")
	in := bot.Inbound{Channel: "test", UserID: u, Text: "/t3", MessageID: "42"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var answers []string
	for _, e := range []*bot.Engine{e1, e1, e2, e2} {
		wg.Add(1)
		go func(e *bot.Engine) {
			defer wg.Done()
			reps, err := e.Handle(context.Background(), in)
			if err != nil {
				t.Error(err)
			}
			if len(reps) > 0 {
				mu.Lock()
				answers = append(answers, render(reps))
				mu.Unlock()
			}
		}(e)
	}
	wg.Wait()
	s, _, _ := st.Load(context.Background(), "test:"+u, "")
	if s.Rev != 1 {
		t.Errorf("rev %d after one message delivered 4 times, want 1", s.Rev)
	}
	if len(answers) == 0 {
		t.Fatal("no delivery got an answer")
	}
	for _, a := range answers[1:] {
		if a != answers[0] {
			t.Errorf("a retry got another answer:\n%s\nvs\n%s", a, answers[0])
		}
	}
	// A retry of an older message (not the last) is dropped.
	if _, err := e1.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Text: "Ann", MessageID: "43"}); err != nil {
		t.Fatal(err)
	}
	if reps, _ := e1.Handle(context.Background(), in); len(reps) != 0 {
		t.Errorf("an old retry was answered: %s", render(reps))
	}
}

func TestRedisStoppedMidConversation(t *testing.T) {
	srv := storetest.NewServer(t)
	e := newEngine(t, store.New(srv.Client()))
	u := storetest.User("outage")
	transcript(t, e, u, []step{{"/t3", "怎么称呼你"}, {"Ann", "欠了多少"}})
	srv.Stop()
	reps, err := e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Text: "500"})
	if err == nil || !strings.Contains(render(reps), "服务暂时不可用") {
		t.Fatalf("with Redis down: err=%v replies=%s", err, render(reps))
	}
	srv.Start()
	transcript(t, e, u, []step{{"500", "选一个颜色"}})
}

func TestLanguageByChoiceHintAndScript(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	u := storetest.User("lang")
	transcript(t, e, u, []step{{"/lang", "请选择语言"}, {"English", "reply in English"}, {"/help", "How to use me"}})
	u = storetest.User("hant")
	transcript(t, e, u, []step{{"請問怎麼用", "常見問題"}, {"/help", "怎麼用"}})
	u = storetest.User("en")
	transcript(t, e, u, []step{{"hello, anybody there", "Legal FAQ"}, {"/start", "I'm loanbot"}})
	reps, _ := e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: storetest.User("hint"), Text: "/start", LangHint: "en-US"})
	if !strings.Contains(render(reps), "I'm loanbot") {
		t.Errorf("language_code en-US: %s", render(reps))
	}
}

func TestForgetAsksThenDeletesEveryKey(t *testing.T) {
	st := storetest.Store(t)
	e := newEngine(t, st)
	u := storetest.User("forget")
	ctx := context.Background()
	transcript(t, e, u, []step{{"/t3", ""}, {"Ann", ""}, {"/forget", "确定要删除"}, {"保留", "什么都没有删除"}})
	if n, _ := st.UserKeyCount(ctx, "test:"+u); n == 0 {
		t.Fatal("kept data is gone")
	}
	transcript(t, e, u, []step{{"/forget", "确定要删除"}, {"确认", "已删除"}})
	if n, _ := st.UserKeyCount(ctx, "test:"+u); n != 0 {
		t.Errorf("%d keys left after /forget", n)
	}
}

func TestCommandMidFlowKeepsThePlace(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	u := storetest.User("mid")
	transcript(t, e, u, []step{{"/t3", ""}, {"Ann", ""}, {"/help", "我们刚才说到这里"}, {"700", "选一个颜色"}})
}

func TestRateLimitWarnsOnceThenIsSilent(t *testing.T) {
	rdb := storetest.Client(t)
	st := store.New(rdb).WithRateWindow(time.Minute)
	reg, _ := dialogs.NewRegistry(dialogs.All()...)
	e1, _ := bot.New(st, nil, bot.WithFlows(reg), bot.WithRateLimit(5))
	e2, _ := bot.New(st, nil, bot.WithFlows(reg), bot.WithRateLimit(5)) // another replica: the count is shared
	u := storetest.User("rate")
	var answered, warned, silent int
	for i := 0; i < 10; i++ {
		e := e1
		if i%2 == 1 {
			e = e2
		}
		reps, err := e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Text: "/help"})
		switch got := render(reps); {
		case err != nil:
			t.Fatal(err)
		case strings.Contains(got, "发得太快"):
			warned++
		case got == "":
			silent++
		default:
			answered++
		}
	}
	if answered != 5 || warned != 1 || silent != 4 {
		t.Errorf("answered %d, warned %d, silent %d; want 5, 1, 4", answered, warned, silent)
	}
	rdb.Del(context.Background(), store.KeyOf(store.KeyRate, "test:"+u), store.KeyOf(store.KeyRateWarned, "test:"+u)) // the window passes
	if got := chat(t, e1, u, "/help"); !strings.Contains(got, "怎么用") {
		t.Errorf("after the window: %s", got)
	}
}

// Over the limit, deletion and a cry for help still go through and answer.
func TestForgetAndCrisisPassTheRateLimit(t *testing.T) {
	rdb := storetest.Client(t)
	st := store.New(rdb).WithRateWindow(time.Minute)
	reg, _ := dialogs.NewRegistry(dialogs.All()...)
	e, _ := bot.New(st, nil, bot.WithFlows(reg), bot.WithRateLimit(3))
	u := storetest.User("rate-forget")
	for i := 0; i < 6; i++ {
		chat(t, e, u, "/help")
	}
	if got := chat(t, e, u, "/help"); got != "" {
		t.Fatalf("the limit is not reached: %s", got)
	}
	if got := chat(t, e, u, "真的不想活了"); !strings.Contains(got, "12356") {
		t.Errorf("a cry for help over the limit: %q", got)
	}
	transcript(t, e, u, []step{{"/forget", "确定要删除"}, {"确认", "已删除"}})
}

func TestStartWithADeepLinkOpensTheCommand(t *testing.T) {
	e := newEngine(t, storetest.Store(t))
	transcript(t, e, storetest.User("deep"), []step{{"/start prep", "是哪个平台的欠款"}})
	transcript(t, e, storetest.User("deep2"), []step{{"/start nonsense", "我是 loanbot"}})
}
