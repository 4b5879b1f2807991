package faq

import (
	"math"
	"sort"
	"strings"

	"loanbot/faq/nlu"
)

// Result is the outcome of a question.
type Result struct {
	Topic       *Topic   // the answer when confident, else nil
	Score       float64  // calibrated confidence in [0,1] of the best topic
	Suggestions []*Topic // when unsure but something is close: the 3 closest; empty when out of scope
}

// Thresholds on the confidence (the topic model's calibrated probability).
var (
	answerAt  = 0.30 // at or above: answer with the best topic
	suggestAt = 0.14 // between: "did you mean" with the three closest
)

// nearWeight weighs the nearest-phrasing score (BM25 against the training
// phrasings, in [0,1]) against the topic model's log-probability; chosen
// by 5-fold cross-validation on the training data.
const nearWeight = 20

// Answer finds the topic that answers question. The topic model's
// log-probability of each class (every topic and out of scope) and the
// class's nearest-phrasing score are added and made a distribution again;
// the best topic is the answer when it is probable enough, the three best
// are offered when it is not, and nothing when out of scope wins.
func (kb *KB) Answer(question string) Result {
	m := trained()
	if m.topics == nil {
		return kb.answerByRetrieval(question)
	}
	prepared := Prepare(question)
	p := m.topics.Predict(prepared)
	near := make([]float64, len(p))
	for _, r := range m.near.rank(m.near.tokens(question)) {
		near[r.topic] = r.score
	}
	// A platform's page answers questions that name the platform: "网贷怎么
	// 协商" shares most of its characters with 网商贷 but asks about any
	// online loan, so an unnamed platform's page takes no share.
	for c := range p {
		p[c] = math.Log(p[c]+1e-9) + nearWeight*near[c]
		if !namesPlatform(prepared, m.topics.Classes[c]) {
			p[c] = math.Inf(-1)
		}
	}
	nlu.Softmax(p)
	oos := 0.0
	var ranked []cand
	for c, id := range m.topics.Classes {
		if c == m.oos {
			oos = p[c]
			continue
		}
		if tp := kb.byID[id]; tp != nil {
			ranked = append(ranked, cand{tp, p[c]})
		}
	}
	return choose(oos, ranked, hasDebtSignal(prepared))
}

// cand is a topic with its probability.
type cand struct {
	topic *Topic
	p     float64
}

// choose turns the probabilities into a result: the best topic when it is
// probable enough and beats out of scope, the closest three when it is
// not probable enough, nothing when out of scope wins. But a question in
// the domain's words (domain) that out of scope wins over a topic close
// behind ("年化几个点就违法了") gets the closest three to tap rather than
// the bare menu; the answer stays "no topic".
func choose(oos float64, ranked []cand, domain bool) Result {
	if len(ranked) == 0 {
		return Result{}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].p > ranked[j].p })
	res := Result{Score: ranked[0].p}
	closest := func() {
		for _, r := range ranked[:min(3, len(ranked))] {
			res.Suggestions = append(res.Suggestions, r.topic)
		}
	}
	switch {
	case oos > ranked[0].p:
		if domain && ranked[0].p >= suggestAt {
			closest()
		}
	case ranked[0].p >= answerAt:
		res.Topic = ranked[0].topic
	case ranked[0].p >= suggestAt:
		closest()
	}
	return res
}

// platformWords name each platform page's lender (after aliases).
var platformWords = map[string][]string{
	"platform-weilidai": {"微粒贷", "微众"},
	"platform-alipay":   {"借呗", "花呗", "支付宝", "蚂蚁"},
	"platform-mybank":   {"网商贷", "网商"},
}

// namesPlatform is false only for a platform page whose lender the
// question does not name.
func namesPlatform(prepared, id string) bool {
	words, ok := platformWords[id]
	if !ok {
		return true
	}
	for _, w := range words {
		if strings.Contains(prepared, w) {
			return true
		}
	}
	return false
}
