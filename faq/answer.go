package faq

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

// Answer finds the topic that answers question: the topic model's most
// probable topic when it is sure enough, the three closest when it is
// unsure, nothing when the question is out of scope.
func (kb *KB) Answer(question string) Result {
	m := trained()
	if m.topics == nil {
		return kb.answerByRetrieval(question)
	}
	t := Prepare(question)
	p := m.topics.Predict(t)
	type cand struct {
		topic *Topic
		p     float64
	}
	var ranked []cand
	for c, id := range m.topics.Classes {
		if c == m.oos {
			continue
		}
		if tp := kb.byID[id]; tp != nil {
			ranked = append(ranked, cand{tp, p[c]})
		}
	}
	if len(ranked) == 0 {
		return Result{}
	}
	for i := 1; i < len(ranked); i++ {
		for j := i; j > 0 && ranked[j].p > ranked[j-1].p; j-- {
			ranked[j], ranked[j-1] = ranked[j-1], ranked[j]
		}
	}
	res := Result{Score: ranked[0].p}
	switch {
	case ranked[0].p >= answerAt:
		res.Topic = ranked[0].topic
	case ranked[0].p >= suggestAt:
		for _, r := range ranked[:min(3, len(ranked))] {
			res.Suggestions = append(res.Suggestions, r.topic)
		}
	}
	return res
}
