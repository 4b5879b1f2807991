package nlu

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
)

// Model is a multinomial logistic regression: a weight row per feature
// over the classes, and a bias per class. With two classes it is a binary
// model (class 1 is the positive one).
type Model struct {
	Classes []string
	// Source is a digest of the data the model was trained on, so a test
	// can tell that the committed model is stale.
	Source string
	Bias   []float32
	// Temp divides the scores before the softmax: fitted on held-out
	// predictions so probabilities are calibrated.
	Temp float32
	// rows: feature → its row in weights, which holds a weight per class
	// for each feature, one row after another, quantised to 16 bits as the
	// model file has them (weight = q/32767·scale): one slab without
	// pointers, which the collector does not walk.
	rows    map[string]int32
	weights []int16
	scale   float32
}

// row is a feature's quantised weights, one per class, or nil.
func (m *Model) row(f string) []int16 {
	i, ok := m.rows[f]
	if !ok {
		return nil
	}
	k := len(m.Classes)
	return m.weights[int(i)*k : int(i)*k+k : int(i)*k+k]
}

// weight is a quantised weight's value.
func (m *Model) weight(q int16) float32 { return float32(q) / 32767 * m.scale }

// Example is one training message with its class index.
type Example struct {
	Text  string
	Class int
	// Weight scales the example's gradient (0 means 1): a rare class that
	// must not be missed (despair) counts more than the others.
	Weight float64
}

// Options of training.
type Options struct {
	Epochs int     // passes over the data
	L2     float64 // weight decay per example
	Rate   float64 // AdaGrad base rate
	MinDF  int     // a feature seen in fewer examples is dropped
	Seed   uint64
}

// DefaultOptions are the settings the committed models were trained with.
var DefaultOptions = Options{Epochs: 30, L2: 1e-5, Rate: 0.5, MinDF: 2, Seed: 1}

// uniq is the set of features of s, in a stable order.
func uniq(s string) []string {
	f := Features(s)
	sort.Strings(f)
	out := f[:0]
	for i, x := range f {
		if i == 0 || x != f[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// Train fits a model on examples (AdaGrad on the softmax loss with L2).
// Every example's feature vector is binary, scaled to unit length.
func Train(classes []string, examples []Example, o Options) *Model {
	feats := make([][]string, len(examples))
	df := map[string]int{}
	for i, e := range examples {
		feats[i] = uniq(e.Text)
		for _, f := range feats[i] {
			df[f]++
		}
	}
	k := len(classes)
	m := &Model{Classes: classes, Bias: make([]float32, k), Temp: 1}
	w := map[string][]float64{}
	g := map[string][]float64{}
	for f, n := range df {
		if n >= o.MinDF {
			w[f] = make([]float64, k)
			g[f] = make([]float64, k)
		}
	}
	bias := make([]float64, k)
	gb := make([]float64, k)
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(o.Seed, 7))
	p := make([]float64, k)
	for epoch := 0; epoch < o.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			fs := feats[i][:0:0]
			for _, f := range feats[i] {
				if w[f] != nil {
					fs = append(fs, f)
				}
			}
			if len(fs) == 0 {
				continue
			}
			x := scale(len(fs))
			copy(p, bias)
			for _, f := range fs {
				for c, v := range w[f] {
					p[c] += v * x
				}
			}
			softmax(p)
			wt := examples[i].Weight
			if wt == 0 {
				wt = 1
			}
			for c := range p {
				d := p[c]
				if c == examples[i].Class {
					d--
				}
				d *= wt
				gb[c] += d * d
				bias[c] -= o.Rate * d / (math.Sqrt(gb[c]) + 1e-8)
				for _, f := range fs {
					grad := d*x + o.L2*w[f][c]
					g[f][c] += grad * grad
					w[f][c] -= o.Rate * grad / (math.Sqrt(g[f][c]) + 1e-8)
				}
			}
		}
	}
	for c := range bias {
		m.Bias[c] = float32(bias[c])
	}
	// The weights as the model file keeps them (see WriteTo), so that the
	// model in memory is the one that ships.
	var mx float32
	for _, v := range w {
		for _, x := range v {
			mx = max(mx, float32(math.Abs(float64(float32(x)))))
		}
	}
	if mx == 0 {
		mx = 1
	}
	names := make([]string, 0, len(w))
	for f := range w {
		names = append(names, f)
	}
	sort.Strings(names)
	m.scale, m.rows, m.weights = mx, make(map[string]int32, len(names)), make([]int16, 0, len(names)*k)
	for i, f := range names {
		m.rows[f] = int32(i)
		for _, x := range w[f] {
			m.weights = append(m.weights, int16(math.Round(float64(float32(x)/mx*32767))))
		}
	}
	return m
}

// scale is the value of each of n known features: unit length with four
// pseudo-features more, so a message with one or two known features (hi,
// 了) leans on the bias instead of on one feature's full weight.
func scale(n int) float64 { return 1 / math.Sqrt(float64(n)+4) }

// Softmax turns scores into probabilities in place.
func Softmax(p []float64) { softmax(p) }

func softmax(p []float64) {
	mx := p[0]
	for _, v := range p {
		mx = max(mx, v)
	}
	var sum float64
	for i, v := range p {
		p[i] = math.Exp(v - mx)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
}

// Scores are the raw class scores of s (before the temperature).
func (m *Model) Scores(s string) []float64 {
	out, _ := m.scores(s)
	return out
}

// scores also counts the distinct features of s the model knows.
func (m *Model) scores(s string) ([]float64, int) {
	out := make([]float64, len(m.Classes))
	for c, b := range m.Bias {
		out[c] = float64(b)
	}
	var rows [][]int16
	for _, f := range uniq(s) {
		if r := m.row(f); r != nil {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return out, 0
	}
	x := scale(len(rows))
	for _, r := range rows {
		for c, q := range r {
			out[c] += float64(m.weight(q)) * x
		}
	}
	return out, len(rows)
}

// Known is how many of s's distinct features the model has weights for.
func (m *Model) Known(s string) int {
	_, n := m.scores(s)
	return n
}

// Predict is the calibrated probability of every class for s.
func (m *Model) Predict(s string) []float64 {
	p, _ := m.PredictKnown(s)
	return p
}

// PredictKnown is Predict and Known in one pass.
func (m *Model) PredictKnown(s string) ([]float64, int) {
	p, n := m.scores(s)
	t := float64(m.Temp)
	if t <= 0 {
		t = 1
	}
	for i := range p {
		p[i] /= t
	}
	softmax(p)
	return p, n
}

// FitTemperature picks the temperature that minimises the log loss of
// held-out raw scores (a grid search: the loss is smooth and one-dimensional).
func FitTemperature(scores [][]float64, classes []int) float32 {
	best, bestLoss := 1.0, math.Inf(1)
	p := []float64{}
	for t := 0.3; t <= 4.0001; t += 0.05 {
		var loss float64
		for i, s := range scores {
			p = append(p[:0], s...)
			for j := range p {
				p[j] /= t
			}
			softmax(p)
			loss -= math.Log(max(p[classes[i]], 1e-12))
		}
		if loss < bestLoss {
			best, bestLoss = t, loss
		}
	}
	return float32(best)
}

// Features of a model are few enough to list for a test or a report.
func (m *Model) NumFeatures() int { return len(m.rows) }

const magic = "LBNLU1"

// WriteTo writes the model, gzip-compressed, with its weights quantised
// to 16 bits per class scaled by the largest weight.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	bw := bufio.NewWriter(zw)
	str := func(s string) {
		binary.Write(bw, binary.LittleEndian, uint32(len(s)))
		bw.WriteString(s)
	}
	bw.WriteString(magic)
	str(m.Source)
	binary.Write(bw, binary.LittleEndian, uint32(len(m.Classes)))
	for _, c := range m.Classes {
		str(c)
	}
	binary.Write(bw, binary.LittleEndian, m.Bias)
	binary.Write(bw, binary.LittleEndian, m.Temp)
	scale := m.scale
	if scale == 0 {
		scale = 1
	}
	binary.Write(bw, binary.LittleEndian, scale)
	names := make([]string, 0, len(m.rows))
	for f := range m.rows {
		names = append(names, f)
	}
	sort.Strings(names)
	binary.Write(bw, binary.LittleEndian, uint32(len(names)))
	for _, f := range names {
		str(f)
		binary.Write(bw, binary.LittleEndian, m.row(f))
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return buf.WriteTo(w)
}

// Read reads a model written by WriteTo.
func Read(b []byte) (*Model, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("nlu: model: %w", err)
	}
	r := bufio.NewReader(zr)
	var err2 error
	u32 := func() uint32 {
		var v uint32
		if err2 == nil {
			err2 = binary.Read(r, binary.LittleEndian, &v)
		}
		return v
	}
	str := func() string {
		n := u32()
		if err2 != nil || n > 1<<20 {
			if err2 == nil {
				err2 = errors.New("string too long")
			}
			return ""
		}
		s := make([]byte, n)
		_, err2 = io.ReadFull(r, s)
		return string(s)
	}
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(r, head); err != nil || string(head) != magic {
		return nil, fmt.Errorf("nlu: model: not a model file")
	}
	m := &Model{Source: str()}
	k := int(u32())
	if err2 != nil || k < 2 || k > 1000 {
		return nil, fmt.Errorf("nlu: model: bad class count %d: %v", k, err2)
	}
	for i := 0; i < k; i++ {
		m.Classes = append(m.Classes, str())
	}
	m.Bias = make([]float32, k)
	if err2 == nil {
		err2 = binary.Read(r, binary.LittleEndian, m.Bias)
	}
	if err2 == nil {
		err2 = binary.Read(r, binary.LittleEndian, &m.Temp)
	}
	var scale float32
	if err2 == nil {
		err2 = binary.Read(r, binary.LittleEndian, &scale)
	}
	if err2 == nil && (!finite(m.Temp) || m.Temp <= 0 || !finite(scale) || scale <= 0) {
		err2 = fmt.Errorf("bad temperature %v or scale %v", m.Temp, scale)
	}
	n := int(u32())
	if err2 == nil && n > 1<<24 {
		err2 = fmt.Errorf("bad feature count %d", n)
	}
	// The feature names go into one string, and the rows into one slab: a
	// few large allocations instead of two small ones a feature.
	var names []byte
	ends := make([]int, 0, min(n, 1<<16))
	m.weights = make([]int16, 0, min(n, 1<<16)*k)
	m.scale = scale
	q := make([]int16, k)
	for i := 0; i < n && err2 == nil; i++ {
		l := u32()
		if err2 == nil && l > 1<<10 {
			err2 = errors.New("feature name too long")
		}
		if err2 != nil {
			break
		}
		names = append(names, make([]byte, l)...)
		if _, err2 = io.ReadFull(r, names[len(names)-int(l):]); err2 != nil {
			break
		}
		ends = append(ends, len(names))
		if err2 = binary.Read(r, binary.LittleEndian, q); err2 != nil {
			break
		}
		m.weights = append(m.weights, q...)
	}
	if err2 == nil {
		all := string(names)
		m.rows = make(map[string]int32, len(ends))
		start := 0
		for i, end := range ends {
			m.rows[all[start:end]] = int32(i)
			start = end
		}
	}
	if err2 == nil {
		// Read to the end, so gzip checks its checksum.
		if _, err := io.Copy(io.Discard, r); err != nil {
			err2 = err
		}
	}
	if err2 != nil {
		return nil, fmt.Errorf("nlu: model: %w", err2)
	}
	return m, nil
}

func finite(f float32) bool { return !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0) }
