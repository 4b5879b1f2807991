// Package corpus reads the data the understanding models are trained on:
// the topics' own phrasings (faq/data/*.yaml) and the training files
// (faq/train/*.tsv), and says which version of them a model came from.
// The generator and the test that the committed models are current share it.
package corpus

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Labels of the training files besides topic ids.
const (
	OutOfScope = "oos"    // not an overdue borrower's question
	Crisis     = "crisis" // despair or thoughts of self-harm
	Calm       = "calm"   // looks like despair but is not (exaggeration, idiom, someone else's death)
)

// Line is one labelled message.
type Line struct {
	Label, Text, File string
}

// Read returns every labelled message under root: the title, questions and
// keywords of each topic in data/, and the lines of train/*.tsv. topics
// lists the topic ids found in data/. A label that is neither a topic nor
// one of the labels above is an error naming the file and line.
func Read(root fs.FS) (lines []Line, topics []string, err error) {
	files, err := fs.Glob(root, "data/*.yaml")
	if err != nil {
		return nil, nil, err
	}
	known := map[string]bool{OutOfScope: true, Crisis: true, Calm: true}
	for _, name := range files {
		b, err := fs.ReadFile(root, name)
		if err != nil {
			return nil, nil, err
		}
		var t struct {
			ID        string              `yaml:"id"`
			Title     map[string]string   `yaml:"title"`
			Questions map[string][]string `yaml:"questions"`
			Keywords  map[string][]string `yaml:"keywords"`
		}
		if err := yaml.Unmarshal(b, &t); err != nil {
			return nil, nil, fmt.Errorf("corpus: %s: %w", name, err)
		}
		if t.ID == "crisis-support" {
			continue // the crisis corpus stands for it
		}
		topics = append(topics, t.ID)
		known[t.ID] = true
		for _, l := range []string{"zh-Hans", "en"} {
			lines = append(lines, Line{t.ID, t.Title[l], name})
			for _, q := range t.Questions[l] {
				lines = append(lines, Line{t.ID, q, name})
			}
			if len(t.Keywords[l]) > 0 {
				lines = append(lines, Line{t.ID, strings.Join(t.Keywords[l], "，"), name})
			}
		}
	}
	sort.Strings(topics)
	tsv, err := fs.Glob(root, "train/*.tsv")
	if err != nil {
		return nil, nil, err
	}
	for _, name := range tsv {
		b, err := fs.ReadFile(root, name)
		if err != nil {
			return nil, nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for n := 1; sc.Scan(); n++ {
			s := strings.TrimSpace(sc.Text())
			if s == "" || strings.HasPrefix(s, "#") {
				continue
			}
			label, text, ok := strings.Cut(s, "\t")
			label, text = strings.TrimSpace(label), strings.TrimSpace(text)
			if !ok || text == "" {
				return nil, nil, fmt.Errorf("corpus: %s:%d: want label<TAB>text", name, n)
			}
			if !known[label] {
				return nil, nil, fmt.Errorf("corpus: %s:%d: unknown label %q", name, n, label)
			}
			lines = append(lines, Line{label, text, name})
		}
	}
	return lines, topics, nil
}

// Digest identifies the training data and the feature version: a model
// whose Source differs was trained on something else.
func Digest(root fs.FS, featureVersion string) (string, error) {
	var names []string
	for _, pat := range []string{"data/*.yaml", "train/*.tsv"} {
		m, err := fs.Glob(root, pat)
		if err != nil {
			return "", err
		}
		names = append(names, m...)
	}
	sort.Strings(names)
	h := sha256.New()
	h.Write([]byte(featureVersion))
	for _, name := range names {
		b, err := fs.ReadFile(root, name)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", path.Base(name), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
