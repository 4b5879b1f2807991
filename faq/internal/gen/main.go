// Command gen trains the understanding models from faq/data and faq/train
// and writes them next to the package (run by `go generate ./faq`):
// topics.model (every topic plus out of scope) and crisis.model (despair or
// not). Training is deterministic: the same data gives the same files.
// It prints the 5-fold cross-validated accuracy as it goes; that figure is
// about the training data, not about questions nobody here wrote.
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"

	"loanbot/faq"
	"loanbot/faq/internal/corpus"
	"loanbot/faq/nlu"
)

func main() {
	dir := flag.String("dir", ".", "the faq package directory")
	crisisWeight := flag.Float64("crisis-weight", 1, "how much a line of despair counts against another line")
	crisisL2 := flag.Float64("crisis-l2", 1e-4, "weight decay of the crisis model")
	folds := flag.Int("folds", 5, "cross-validation folds for calibration (0: none)")
	flag.Parse()
	root := os.DirFS(*dir)
	lines, topics, err := corpus.Read(root)
	if err != nil {
		log.Fatal(err)
	}
	digest, err := corpus.Digest(root, nlu.FeatureVersion)
	if err != nil {
		log.Fatal(err)
	}

	// The topic model: every topic and out of scope. Crisis lines are not
	// in it (the crisis model and rules see them first); calm lines have no
	// topic.
	classes := append(append([]string{}, topics...), corpus.OutOfScope)
	index := map[string]int{}
	for i, c := range classes {
		index[c] = i
	}
	var ex []nlu.Example
	for _, l := range lines {
		if c, ok := index[l.Label]; ok {
			ex = append(ex, nlu.Example{Text: faq.Prepare(l.Text), Class: c})
		}
	}
	tm := train("topics", classes, ex, *folds, nlu.DefaultOptions)
	tm.Source = digest

	// The crisis model: despair against everything else.
	var cex []nlu.Example
	for _, l := range lines {
		c, w := 0, 1.0
		if l.Label == corpus.Crisis {
			c, w = 1, *crisisWeight
		}
		cex = append(cex, nlu.Example{Text: faq.PrepareCrisis(l.Text), Class: c, Weight: w})
	}
	co := nlu.DefaultOptions
	co.L2 = *crisisL2
	cm := train("crisis", []string{"other", corpus.Crisis}, cex, *folds, co)
	cm.Source = digest

	for name, m := range map[string]*nlu.Model{"topics.model": tm, "crisis.model": cm} {
		f, err := os.Create(filepath.Join(*dir, name))
		if err != nil {
			log.Fatal(err)
		}
		if _, err := m.WriteTo(f); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d classes, %d features\n", name, len(m.Classes), m.NumFeatures())
	}
}

// train fits the model on all examples; with folds, it first fits one per
// fold to get held-out scores, reports their accuracy and sets the
// temperature that calibrates them.
func train(name string, classes []string, ex []nlu.Example, folds int, o nlu.Options) *nlu.Model {
	m := nlu.Train(classes, ex, o)
	if folds < 2 {
		return m
	}
	var scores [][]float64
	var want []int
	right := 0
	for k := 0; k < folds; k++ {
		var tr, te []nlu.Example
		for i, e := range ex {
			if i%folds == k {
				te = append(te, e)
			} else {
				tr = append(tr, e)
			}
		}
		fm := nlu.Train(classes, tr, o)
		for _, e := range te {
			s := fm.Scores(e.Text)
			scores = append(scores, s)
			want = append(want, e.Class)
			best := 0
			for c := range s {
				if s[c] > s[best] {
					best = c
				}
			}
			if best == e.Class {
				right++
			}
		}
	}
	m.Temp = nlu.FitTemperature(scores, want)
	fmt.Printf("%s: %d examples, %d-fold held-out accuracy %.1f%%, temperature %.2f\n",
		name, len(ex), folds, 100*float64(right)/float64(len(ex)), m.Temp)
	if len(classes) == 2 {
		for _, at := range []float64{0.25, 0.6} {
			var tp, pos, fp, neg int
			for i, s := range scores {
				p := 1 / (1 + math.Exp(-(s[1]-s[0])/float64(m.Temp)))
				if want[i] == 1 {
					pos++
					if p >= at {
						tp++
					}
				} else {
					neg++
					if p >= at {
						fp++
					}
				}
			}
			fmt.Printf("%s: held out, p >= %.2f: %d/%d positives, %d/%d negatives\n", name, at, tp, pos, fp, neg)
		}
	}
	return m
}
