package faq

import (
	"os"
	"testing"

	"loanbot/faq/internal/corpus"
	"loanbot/faq/nlu"
)

// TestCrisisCrossValidated measures the whole crisis check (rules plus a
// crisis model trained without the line it judges) on the training
// corpora, 5 folds. It trains five models (about 20 s), so it runs only
// when LOANBOT_CROSSVAL=1; the README keeps its last figures. The rules
// were written while reading these corpora, so the figure says how well
// they cover the corpora, not how they do on questions nobody here wrote
// (the evaluation sets say that).
func TestCrisisCrossValidated(t *testing.T) {
	if os.Getenv("LOANBOT_CROSSVAL") != "1" {
		t.Skip("set LOANBOT_CROSSVAL=1 to run the cross-validation (about 20 s)")
	}
	lines, _, err := corpus.Read(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	var ex []nlu.Example
	for _, l := range lines {
		c := 0
		if l.Label == corpus.Crisis {
			c = 1
		}
		ex = append(ex, nlu.Example{Text: PrepareCrisis(l.Text), Class: c})
	}
	const folds = 5
	var pos, shown, first, neg, negFirst, negLine, calm, calmFirst, calmLine int
	for k := 0; k < folds; k++ {
		var tr []nlu.Example
		for i, e := range ex {
			if i%folds != k {
				tr = append(tr, e)
			}
		}
		m := nlu.Train([]string{"other", corpus.Crisis}, tr, nlu.DefaultOptions)
		m.Temp = trained().crisis.Temp
		for i := k; i < len(ex); i += folds {
			lv := levelWith(m, lines[i].Text)
			if ex[i].Class == 1 {
				pos++
				if lv > Calm {
					shown++
				} else {
					t.Logf("missed: %q", lines[i].Text)
				}
				if lv == Likely {
					first++
				}
				continue
			}
			neg++
			if lv == Likely {
				negFirst++
				t.Logf("first tier on %s: %q", lines[i].Label, lines[i].Text)
			}
			if lv == Possible {
				negLine++
			}
			if lines[i].Label == corpus.Calm {
				calm++
				if lv == Likely {
					calmFirst++
				}
				if lv == Possible {
					calmLine++
				}
			}
		}
	}
	t.Logf("crisis lines shown support %d/%d = %.1f%% (first tier %d); other lines: first tier %d/%d = %.2f%%, support line %d/%d = %.1f%%; of them hard negatives: first tier %d/%d, support line %d/%d",
		shown, pos, pct(shown, pos), first, negFirst, neg, pct(negFirst, neg), negLine, neg, pct(negLine, neg), calmFirst, calm, calmLine, calm)
}
