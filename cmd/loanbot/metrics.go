package main

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
)

// metrics are the Prometheus series of /metrics; they implement the
// engine's and the dispatcher's observers and count Redis errors.
type metrics struct {
	reg        *prometheus.Registry
	updates    *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	faq        *prometheus.CounterVec
	reminders  *prometheus.CounterVec
	redisError prometheus.Counter
	redisTrips prometheus.Counter
	claimLag   prometheus.Histogram
	sends      *prometheus.CounterVec
	limitWait  prometheus.Histogram
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "loanbot_updates_total", Help: "Messages handled, by channel and outcome.",
		}, []string{"channel", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "loanbot_handle_seconds", Help: "Time to handle one message.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"channel"}),
		faq: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "loanbot_faq_answers_total", Help: "FAQ questions by topic (\"\" = no match).",
		}, []string{"topic"}),
		reminders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "loanbot_reminders_total", Help: "Reminder notices: due (claimed), sent, late, failed.",
		}, []string{"event"}),
		redisError: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "loanbot_redis_errors_total", Help: "Redis commands that failed (not counting misses).",
		}),
		redisTrips: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "loanbot_redis_round_trips_total", Help: "Redis round trips (a command or a pipeline each); divided by loanbot_updates_total: round trips a message.",
		}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "loanbot_sends_total", Help: "Outbound messages by channel and outcome (ok, 429, blocked, failed, deferred).",
		}, []string{"channel", "outcome"}),
		limitWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "loanbot_send_limit_wait_seconds", Help: "Time an outbound message waited for the shared limits.",
			Buckets: []float64{0, .01, .05, .1, .25, .5, 1, 2, 5, 10, 30},
		}),
		claimLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "loanbot_reminder_claim_lag_seconds", Help: "How long after its time a reminder notice was claimed.",
			Buckets: []float64{.1, .25, .5, 1, 2, 5, 10, 30, 60, 300, 3600},
		}),
	}
	m.reg.MustRegister(m.updates, m.latency, m.faq, m.reminders, m.redisError, m.redisTrips, m.claimLag, m.sends, m.limitWait,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

// Handled implements bot.Observer.
func (m *metrics) Handled(channel string, d time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.updates.WithLabelValues(channel, outcome).Inc()
	m.latency.WithLabelValues(channel).Observe(d.Seconds())
}

// FAQ implements bot.Observer.
func (m *metrics) FAQ(topic string) { m.faq.WithLabelValues(topic).Inc() }

// Due, Sent and Failed implement remind.Observer.
func (m *metrics) Due(n int) { m.reminders.WithLabelValues("due").Add(float64(n)) }
func (m *metrics) Sent(late bool) {
	m.reminders.WithLabelValues("sent").Inc()
	if late {
		m.reminders.WithLabelValues("late").Inc()
	}
}
func (m *metrics) Failed()                   { m.reminders.WithLabelValues("failed").Inc() }
func (m *metrics) Claimed(lag time.Duration) { m.claimLag.Observe(lag.Seconds()) }

// redisHook counts failed Redis commands.
type redisHook struct{ m *metrics }

func (h redisHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h redisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.m.redisTrips.Inc()
		err := next(ctx, cmd)
		if err != nil && !errors.Is(err, redis.Nil) {
			h.m.redisError.Inc()
		}
		return err
	}
}
func (h redisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.m.redisTrips.Inc()
		err := next(ctx, cmds)
		if err != nil && !errors.Is(err, redis.Nil) {
			h.m.redisError.Inc()
		}
		return err
	}
}

// sendMetrics is the metrics as the channels' send observer (and the Telegram
// adapter's limit waits).
type sendMetrics struct{ m *metrics }

func (s sendMetrics) Sent(channel, outcome string) { s.m.sends.WithLabelValues(channel, outcome).Inc() }
func (s sendMetrics) LimitWait(d time.Duration)    { s.m.limitWait.Observe(d.Seconds()) }

// queueDepth reports a replica's messages waiting for their turn.
func (m *metrics) queueDepth(name string, n func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "loanbot_queue_depth", Help: "Messages waiting for their turn in this replica.", ConstLabels: prometheus.Labels{"queue": name},
	}, func() float64 { return float64(n()) }))
}
