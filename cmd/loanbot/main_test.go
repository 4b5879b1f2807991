package main

import (
	"bytes"
	"context"
	"encoding/json"
	"loanbot/i18n"
	"os"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"

	"loanbot/store/storetest"
)

// loanbot runs the binary's main logic with args and stdin, and returns
// what it printed and its exit code.
func loanbot(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

// sharedRedis points REDIS_URL at a Redis that outlives one run: the real
// one when REDIS_URL is set, else an embedded server of the test's own.
func sharedRedis(t *testing.T) {
	if os.Getenv("REDIS_URL") != "" {
		return
	}
	m := miniredis.RunT(t)
	t.Setenv("REDIS_URL", "redis://"+m.Addr())
}

func TestChatPipedWelcomeAndHelp(t *testing.T) {
	t.Setenv("REDIS_URL", "")
	out, errOut, code := loanbot(t, "/start\n/help\n", "chat")
	if code != 0 || !strings.Contains(out, "我是 loanbot") || !strings.Contains(out, "怎么用") || !strings.Contains(out, "[1] 常见问题") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "nothing persists") {
		t.Errorf("stderr must say the embedded store keeps nothing: %q", errOut)
	}
}

func TestChatResumesInANewProcess(t *testing.T) {
	sharedRedis(t)
	u := storetest.User("cli")
	if _, _, code := loanbot(t, "/lang\n", "chat", "--user", u); code != 0 {
		t.Fatal("first run failed")
	}
	out, _, code := loanbot(t, "English\n/help\n", "chat", "--user", u)
	if code != 0 || !strings.Contains(out, "How to use me") {
		t.Fatalf("second run (exit %d) did not continue in English:\n%s", code, out)
	}
}

func TestPrepPipedGivesThePlan(t *testing.T) {
	t.Setenv("REDIS_URL", "")
	out, _, code := loanbot(t, "/prep\n微粒贷\n3万5\n两个月\n8000\n5000\nskip\n失业\n分期\n", "chat")
	if code != 0 || !strings.Contains(out, "请核对一下") || !strings.Contains(out, "[1] 确认，生成方案") {
		t.Fatalf("the dialog must end in a summary:\n%s", out)
	}
	for _, confirm := range []string{"确认", "1"} {
		out, _, _ = loanbot(t, "/prep\n微粒贷\n3万5\n两个月\n8000\n5000\nskip\n失业\n分期\n"+confirm+"\n", "chat")
		if !strings.Contains(out, "建议每月还2,100元") || !strings.Contains(out, "约17个月还清") {
			t.Errorf("confirming with %q: no plan of 2,100 a month over 17 months:\n%s", confirm, out)
		}
	}
}

func TestRemindPipedThenListedInASecondRun(t *testing.T) {
	sharedRedis(t)
	u := storetest.User("cli-remind")
	out, _, code := loanbot(t, "/remind\n微粒贷\n2100\n每月31号\n当天\n09:00\n确认\n", "chat", "--user", u)
	if code != 0 || !strings.Contains(out, "提醒设好了") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	out, _, _ = loanbot(t, "/reminders\n", "chat", "--user", u)
	if !strings.Contains(out, "每月最后一天") || !strings.Contains(out, "2,100元") || !strings.Contains(out, "09:00") {
		t.Errorf("/reminders in a second run:\n%s", out)
	}
}

func TestAskJSON(t *testing.T) {
	out, _, code := loanbot(t, "", "ask", "--json", "can I be sued for overdue Weilidai")
	var r askResult
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("exit %d: %q", code, out)
	}
	if r.Topic != "sued-risk" || r.Lang != "en" || r.Answer == "" || r.Score <= 0 {
		t.Errorf("got %+v", r)
	}
	out, _, _ = loanbot(t, "今天天气好不好\n逾期记录保留几年\n", "ask", "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one JSON line a question: %q", out)
	}
	var a, b askResult
	json.Unmarshal([]byte(lines[0]), &a)
	json.Unmarshal([]byte(lines[1]), &b)
	if a.Topic != "" || b.Topic != "credit-report" {
		t.Errorf("weather → %q, 逾期记录保留几年 → %q", a.Topic, b.Topic)
	}
	out, _, _ = loanbot(t, "", "ask", "--lang", "zh-Hant", "逾期记录保留几年")
	if !strings.Contains(out, "徵信") && !strings.Contains(out, "記錄") {
		t.Errorf("zh-Hant answer is not Traditional: %q", out)
	}
}

// ask --json goes through the chat's understanding: the support reply
// first is "crisis-support"; the second tier is the answer with
// "support_line": true; an exaggeration is neither.
func TestAskJSONCrisisTiers(t *testing.T) {
	out, _, code := loanbot(t, "欠得太多了不想活了\n走投无路了，逾期了会被起诉吗\n利息要命，这合法吗\nwo zhen de bu xiang huo le\n", "ask", "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 4 {
		t.Fatalf("exit %d: %q", code, out)
	}
	var r [4]askResult
	for i := range r {
		if err := json.Unmarshal([]byte(lines[i]), &r[i]); err != nil {
			t.Fatal(err)
		}
	}
	if r[0].Topic != "crisis-support" || r[0].SupportLine || !strings.Contains(r[0].Answer, "12356") {
		t.Errorf("despair: %+v", r[0])
	}
	if r[1].Topic != "sued-risk" || !r[1].SupportLine || !strings.HasPrefix(r[1].Answer, i18n.T(i18n.ZhHans, "crisis.line")) {
		t.Errorf("possible: %+v", r[1])
	}
	if r[2].Topic != "penalty-interest" || r[2].SupportLine {
		t.Errorf("exaggeration: %+v", r[2])
	}
	if r[3].Topic != "crisis-support" || r[3].Lang != "zh-Hans" {
		t.Errorf("pinyin despair: %+v", r[3])
	}
	if !strings.Contains(lines[1], `"support_line":true`) {
		t.Errorf("the field is named support_line: %s", lines[1])
	}
}

func TestFlowsMermaid(t *testing.T) {
	out, _, code := loanbot(t, "", "flows", "--mermaid")
	if code != 0 || !strings.Contains(out, "stateDiagram") || !strings.Contains(out, "flow negotiate") || !strings.Contains(out, "summary --> done") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestBadConfigurationIsNamed(t *testing.T) {
	t.Setenv("LOANBOT_TZ", "Mars/Base")
	_, errOut, code := loanbot(t, "", "chat")
	if code != 1 || !strings.Contains(errOut, "LOANBOT_TZ") {
		t.Errorf("exit %d: %q", code, errOut)
	}
	if _, _, code := loanbot(t, "", "nonsense"); code != 2 {
		t.Errorf("unknown command: exit %d", code)
	}
}

func TestBadWeChatModeIsNamed(t *testing.T) {
	t.Setenv("WECHAT_TOKEN", "token")
	t.Setenv("WECHAT_MODE", "secure")
	if _, errOut, code := loanbot(t, "", "serve"); code != 1 || !strings.Contains(errOut, "WECHAT_MODE") {
		t.Errorf("exit %d: %q", code, errOut)
	}
}

func TestBadWebLimitsAreNamed(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"LOANBOT_WEB_NEW_USERS", "lots"},
		{"LOANBOT_WEB_NEW_USERS", "0"},
		{"LOANBOT_METRICS_ADDR", "9091"},
		{"LOANBOT_METRICS_ADDR", ":8080"}, // the public listener
		{"TELEGRAM_SEND_RATE", "fast"},
		{"TELEGRAM_SEND_RATE", "0"},
		{"TELEGRAM_SEND_RATE", "5000"},
		{"LOANBOT_USER_RATE", "-1"},
		{"LOANBOT_USER_RATE", "20/min"},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			t.Setenv("LISTEN_ADDR", ":8080")
			t.Setenv(tc.name, tc.value)
			if _, errOut, code := loanbot(t, "", "serve"); code != 1 || !strings.Contains(errOut, tc.name) {
				t.Errorf("exit %d: %q", code, errOut)
			}
		})
	}
}

// The rates: defaults, numbers, and off.
func TestRatesFromTheEnvironment(t *testing.T) {
	for _, tc := range []struct {
		send, user         string
		wantSend, wantUser int
	}{
		{"", "", 30, 20},
		{"1000", "60", 1000, 60},
		{"off", "OFF", 0, 0},
	} {
		t.Setenv("TELEGRAM_SEND_RATE", tc.send)
		t.Setenv("LOANBOT_USER_RATE", tc.user)
		c, err := loadConfig()
		if err != nil || c.SendRate != tc.wantSend || c.UserRate != tc.wantUser {
			t.Errorf("%q/%q: %d/%d, %v", tc.send, tc.user, c.SendRate, c.UserRate, err)
		}
	}
}
