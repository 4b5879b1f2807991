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
	"os"
	"path/filepath"

	"loanbot/faq"
	"loanbot/faq/internal/corpus"
	"loanbot/faq/nlu"
)

func main() {
	dir := flag.String("dir", ".", "the faq package directory")
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
	tm := train("topics", classes, ex, *folds)
	tm.Source = digest

	// The crisis model: despair against everything else.
	var cex []nlu.Example
	for _, l := range lines {
		c := 0
		if l.Label == corpus.Crisis {
			c = 1
		}
		cex = append(cex, nlu.Example{Text: faq.Prepare(l.Text), Class: c})
	}
	cm := train("crisis", []string{"other", corpus.Crisis}, cex, *folds)
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
func train(name string, classes []string, ex []nlu.Example, folds int) *nlu.Model {
	m := nlu.Train(classes, ex, nlu.DefaultOptions)
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
		fm := nlu.Train(classes, tr, nlu.DefaultOptions)
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
	return m
}
