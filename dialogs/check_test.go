package dialogs

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"loanbot/collect"
)

// A pasted collector's message is checked without /check; a user's own
// question about collection is not: it goes to the FAQ.
func TestOnlyPastedMessagesAreCheckedUnasked(t *testing.T) {
	for text, want := range map[string]bool{
		"【催收通知】您已涉嫌诈骗，明日移交公安机关，再不还款就通知你单位和全部通讯录":                       true,
		"已立案，法院將上門執行並凍結你的微信支付寶":                                        true,
		"We will contact your employer and all your contacts tomorrow": true,
		"微粒贷逾期俩月了，会不会被起诉呀":                                             false,
		"催收说要通知我单位和全部通讯录，真的假的":                                         false,
		"收到立案通知短信，说48小时内不还就上门":                                         false,
		"is the overdue interest they're charging even legal":          false,
	} {
		got := utf8.RuneCountInString(text) >= minPasted && !ownWords(text) && collect.LooksLikeCollection(text)
		if got != want {
			t.Errorf("%q checked unasked: %v, want %v", text, got, want)
		}
	}
}

// The evaluation questions of the FAQ (people's own questions) are almost
// never taken for a pasted collector's message.
func TestEvaluationQuestionsAreNotTakenForCollectorMessages(t *testing.T) {
	files, _ := filepath.Glob("../faq/testdata/eval-*.tsv")
	n, taken := 0, 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			label, q, ok := strings.Cut(sc.Text(), "\t")
			if !ok || label == "crisis-support" { // the crisis reply comes first anyway
				continue
			}
			n++
			if utf8.RuneCountInString(q) >= minPasted && !ownWords(q) && collect.LooksLikeCollection(q) {
				taken++
				t.Logf("taken for a collector's message: %s", q)
			}
		}
		fh.Close()
	}
	t.Logf("%d of %d evaluation questions taken for collector messages", taken, n)
	if n < 1000 || taken*200 > n { // at most 0.5 %
		t.Errorf("%d of %d evaluation questions taken for collector messages", taken, n)
	}
}
