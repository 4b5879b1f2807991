package bot_test

import (
	"context"
	"loanbot/i18n"
	"strings"
	"testing"

	"loanbot/bot"
	"loanbot/dialogs"
	"loanbot/faq"
	"loanbot/store"
	"loanbot/store/storetest"
)

func faqEngine(t *testing.T, st bot.Store) *bot.Engine {
	t.Helper()
	kb, err := faq.Load()
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := dialogs.NewRegistry(dialogs.All()...)
	e, err := bot.New(st, kb, bot.WithFlows(reg))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestFAQAnswerWithBasisDisclaimerAndButtons(t *testing.T) {
	e := faqEngine(t, storetest.Store(t))
	u := storetest.User("faq")
	reps, err := e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Text: "微粒贷逾期会被起诉吗"})
	if err != nil || len(reps) == 0 {
		t.Fatal(err)
	}
	got := render(reps)
	for _, want := range []string{"一般性法律信息", "法律依据", "[更多问题]"} {
		if !strings.Contains(got, want) {
			t.Errorf("first answer lacks %q:\n%s", want, got)
		}
	}
	if len(reps[0].Flat()) < 3 {
		t.Errorf("want related topics and actions as buttons: %s", got)
	}
	// The disclaimer comes once a conversation.
	if got := chat(t, e, u, "催收能打给我家人吗"); strings.Contains(got, "一般性法律信息") {
		t.Errorf("second answer repeats the disclaimer:\n%s", got)
	}
	// A tapped related topic is answered.
	if got := chat(t, e, u, "1"); !strings.Contains(got, "法律依据") {
		t.Errorf("button 1 of an answer: %s", got)
	}
}

func TestOutOfScopeGetsTheMenuNotAWrongTopic(t *testing.T) {
	e := faqEngine(t, storetest.Store(t))
	got := chat(t, e, storetest.User("oos"), "今天天气好不好")
	if !strings.Contains(got, "这个我帮不上忙") || !strings.Contains(got, "[起诉与法院]") || strings.Contains(got, "法律依据") {
		t.Errorf("out of scope: %s", got)
	}
}

func TestCrisisFirstAndTheFlowIsKept(t *testing.T) {
	e := faqEngine(t, storetest.Store(t))
	u := storetest.User("crisis")
	transcript(t, e, u, []step{
		{"/prep", "是哪个平台的欠款"},
		{"微粒贷", "欠多少"},
		{"欠得太多了不想活了", "12356"},
		{"35000", "逾期多久"}, // the flow went on where it was
	})
	if got := chat(t, e, storetest.User("crisis-en"), "I can't go on, I want to end it all"); !strings.Contains(got, "12356") {
		t.Errorf("English crisis: %s", got)
	}
	if got := chat(t, e, storetest.User("stress"), "压力很大，急死了"); strings.Contains(got, "我很担心你") {
		t.Errorf("ordinary stress got the crisis reply first: %s", got)
	}
	// Exaggerations with a word of death get no support at all.
	for _, q := range []string{"利息要命，这合法吗", "this debt is killing me, what is the max interest they can charge"} {
		if got := chat(t, e, storetest.User("exaggeration"), q); strings.Contains(got, "12356") {
			t.Errorf("%q got the support line or reply: %s", q, got)
		}
	}
}

// A message that may be a cry for help (the second tier) gets its answer
// with one support line on top, and a flow in progress is kept.
func TestPossibleCrisisGetsTheAnswerWithTheSupportLine(t *testing.T) {
	e := faqEngine(t, storetest.Store(t))
	got := chat(t, e, storetest.User("possible"), "走投无路了，逾期了会被起诉吗")
	line := i18n.T(i18n.ZhHans, "crisis.line")
	if !strings.HasPrefix(got, line) {
		t.Errorf("want the support line first: %s", got)
	}
	if !strings.Contains(got, "法律依据") || strings.Contains(got, "我很担心你") {
		t.Errorf("want the normal answer under the line, not the crisis reply: %s", got)
	}
	u := storetest.User("possible-prep")
	transcript(t, e, u, []step{
		{"/prep", "是哪个平台的欠款"},
		{"I feel hopeless, will they sue me?", "12356"},
	})
	if got := chat(t, e, u, "微粒贷"); !strings.Contains(got, "欠多少") {
		t.Errorf("the flow did not go on after the support line: %s", got)
	}
	// At a step that takes any text, despair is not taken as the answer.
	u = storetest.User("possible-free-text")
	transcript(t, e, u, []step{{"/prep", "是哪个平台的欠款"}, {"其他", "哪家平台"}, {"真的绝望了", "12356"}})
	if got := chat(t, e, u, "京东金条"); !strings.Contains(got, "欠多少") {
		t.Errorf("after the support line the same question is asked: %s", got)
	}
}

// Toneless pinyin typed without a Chinese keyboard is understood and
// answered in Chinese; despair in pinyin gets the crisis reply first.
func TestPinyinIsUnderstood(t *testing.T) {
	e := faqEngine(t, storetest.Store(t))
	got := chat(t, e, storetest.User("pinyin"), "weilidai yuqi le hui bei qisu ma")
	if !strings.Contains(got, "起诉") || !strings.Contains(got, "法律依据") {
		t.Errorf("pinyin question: %s", got)
	}
	if got := chat(t, e, storetest.User("pinyin-crisis"), "qian tai duo le, wo zhen de bu xiang huo le"); !strings.Contains(got, "我很担心你") {
		t.Errorf("pinyin despair: %s", got)
	}
}

func TestTraditionalQuestionGetsATraditionalAnswer(t *testing.T) {
	e := faqEngine(t, storetest.Store(t))
	got := chat(t, e, storetest.User("hant"), "網商貸逾期會影響徵信嗎")
	if !strings.Contains(got, "徵信") || strings.Contains(got, "征信") {
		t.Errorf("zh-Hant: %s", got)
	}
}

func TestFAQStillAnswersWhileRedisIsDown(t *testing.T) {
	srv := storetest.NewServer(t)
	e := faqEngine(t, store.New(srv.Client()))
	u := storetest.User("down")
	transcript(t, e, u, []step{{"/prep", ""}})
	srv.Stop()
	reps, err := e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Text: "信用卡逾期会坐牢吗"})
	if err == nil || !strings.Contains(render(reps), "法律依据") {
		t.Errorf("FAQ while Redis is down: err=%v %s", err, render(reps))
	}
	reps, _ = e.Handle(context.Background(), bot.Inbound{Channel: "test", UserID: u, Text: "微粒贷"})
	if !strings.Contains(render(reps), "暂时不可用") {
		t.Errorf("a flow answer while Redis is down: %s", render(reps))
	}
	srv.Start()
	transcript(t, e, u, []step{{"微粒贷", "欠多少"}})
}
