package main

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// The Grafana dashboard in docs/ charts only series serve exports.
func TestDashboardShowsExistingMetrics(t *testing.T) {
	m := newMetrics()
	m.queueDepth("engine", func() int { return 0 })
	have := map[string]bool{}
	ch := make(chan *prometheus.Desc, 64)
	go func() {
		for _, c := range []prometheus.Collector{m.updates, m.latency, m.faq, m.reminders, m.redisError, m.redisTrips, m.claimLag, m.sends, m.limitWait} {
			c.Describe(ch)
		}
		close(ch)
	}()
	name := regexp.MustCompile(`fqName: "([a-z_]+)"`)
	for d := range ch {
		if mm := name.FindStringSubmatch(d.String()); mm != nil {
			have[mm[1]] = true
		}
	}
	have["loanbot_queue_depth"] = true // a GaugeFunc, registered above
	raw, err := os.ReadFile("../../docs/grafana-loanbot.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatal(err)
	}
	series := regexp.MustCompile(`loanbot_[a-z_]+`)
	n := 0
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			for _, s := range series.FindAllString(tg.Expr, -1) {
				n++
				base := strings.TrimSuffix(s, "_bucket")
				if !have[base] {
					t.Errorf("panel %q charts %s, which serve does not export", p.Title, s)
				}
			}
		}
	}
	if n < 8 {
		t.Errorf("the dashboard charts %d series", n)
	}
}
