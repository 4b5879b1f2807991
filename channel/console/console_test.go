package console

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"loanbot/bot"
)

func TestRenderNumbersButtonsAcrossReplies(t *testing.T) {
	var b bytes.Buffer
	Render(&b, []bot.Reply{
		{Text: "answer", Buttons: [][]bot.Button{{{Label: "a"}, {Label: "b"}}}},
		{Text: "question", Buttons: [][]bot.Button{{{Label: "c"}}}},
	}, "")
	if got := b.String(); !strings.Contains(got, "[1] a  [2] b") || !strings.Contains(got, "[3] c") {
		t.Errorf("got:\n%s", got)
	}
}

func TestRenderLeavesNumbersOffWhenANumberIsTheAnswer(t *testing.T) {
	var b bytes.Buffer
	Render(&b, []bot.Reply{{Text: "how much?", NumberIsAnswer: true, Buttons: [][]bot.Button{{{Label: "返回"}, {Label: "取消"}}}}}, "")
	if got := b.String(); !strings.Contains(got, "[返回]  [取消]") || strings.Contains(got, "[1]") {
		t.Errorf("got:\n%s", got)
	}
}

type echo struct{ got []bot.Inbound }

func (e *echo) Handle(ctx context.Context, in bot.Inbound) ([]bot.Reply, error) {
	e.got = append(e.got, in)
	return []bot.Reply{{Text: "you said " + in.Text}}, nil
}

func TestRunReadsLinesUntilEOF(t *testing.T) {
	h := &echo{}
	var out bytes.Buffer
	err := New(h, Options{User: "u", Lang: "en", In: strings.NewReader("hello\n\n  /help  \n"), Out: &out}).Run(context.Background())
	if err != nil || len(h.got) != 2 || h.got[1].Text != "/help" || h.got[0].Channel != "cli" || h.got[0].LangHint != "en" {
		t.Fatalf("err=%v got=%+v", err, h.got)
	}
	if !strings.Contains(out.String(), "you said hello") {
		t.Errorf("out: %s", out.String())
	}
}
