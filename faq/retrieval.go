package faq

import "loanbot/zhtext"

// answerByRetrieval ranks by BM25 alone: the fallback when the topic model
// cannot be read.
func (kb *KB) answerByRetrieval(question string) Result {
	t, off := blankOffTopic(zhtext.Normalize(question))
	t = kb.idx.alias(t)
	q := kb.idx.tokenize(t)
	ranked := kb.idx.rank(q)
	if len(ranked) == 0 || ranked[0].score <= 0 {
		return Result{}
	}
	conf := confidence(kb.idx.domain(q), ranked)
	if off {
		conf /= 2 // another domain's problem (see offTopic)
	}
	if !hasDebtSignal(t) {
		conf *= 0.4 // no debt in it: only a near-certain match is answered (see debtSignals)
	}
	kb.idx.preferNamedPlatform(t, ranked)
	res := Result{Score: conf}
	switch {
	case conf >= 0.30:
		res.Topic = kb.idx.topics[ranked[0].topic]
	case conf >= 0.14:
		for _, r := range ranked[:min(3, len(ranked))] {
			if r.score > 0 {
				res.Suggestions = append(res.Suggestions, kb.idx.topics[r.topic])
			}
		}
	}
	return res
}

// confidence in [0,1]: how much of the question is in the domain's own
// words (the titles' and keywords' terms, by idf: a question about the
// weather has none), times how clearly the best topic stands above the
// runner-up.
func confidence(domain float64, r []scored) float64 {
	d := (domain - 1.5) / 8
	if d <= 0 {
		return 0
	}
	if d > 1 {
		d = 1
	}
	margin := 1.0
	if len(r) > 1 && r[0].score > 0 {
		margin = min(1, 2*(r[0].score-r[1].score)/r[0].score)
	}
	return d * (0.7 + 0.3*margin)
}
