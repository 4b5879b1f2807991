package faq

// Result is the outcome of a question.
type Result struct {
	Topic       *Topic   // the answer when confident, else nil
	Score       float64  // calibrated confidence in [0,1] of the best topic
	Suggestions []*Topic // when unsure but something is close: the 3 closest; empty when out of scope
}

// Thresholds on the confidence, tuned on testdata/eval.tsv (see README.md).
var (
	answerAt  = 0.30 // at or above: answer with the best topic
	suggestAt = 0.14 // between: "did you mean" with the three closest
	// minCoverage: the share of the question's weight (by idf) that the
	// best topic's text contains; below it the question is about
	// something else, whatever the score.
	minCoverage = 0.35
)

// Answer finds the topic that answers question.
func (kb *KB) Answer(question string) Result {
	q := kb.idx.tokens(question)
	ranked := kb.idx.rank(q)
	if len(ranked) == 0 {
		return Result{}
	}
	top := ranked[0]
	conf := confidence(ranked)
	res := Result{Score: conf}
	switch {
	case top.coverage < minCoverage || conf < suggestAt:
		return res
	case conf >= answerAt:
		res.Topic = kb.idx.topics[top.topic]
		return res
	}
	for _, r := range ranked[:min(3, len(ranked))] {
		if r.score > 0 {
			res.Suggestions = append(res.Suggestions, kb.idx.topics[r.topic])
		}
	}
	return res
}

// confidence blends how much of the question the best topic explains with
// how far it stands above the runner-up, into [0,1].
func confidence(r []scored) float64 {
	s1 := r[0].score
	if s1 <= 0 {
		return 0
	}
	s2 := 0.0
	if len(r) > 1 {
		s2 = r[1].score
	}
	margin := (s1 - s2) / s1
	c := s1 * (0.6 + 0.4*margin) * (0.5 + 0.5*r[0].coverage)
	if c > 1 {
		c = 1
	}
	return c
}
