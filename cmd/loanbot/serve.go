package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"loanbot/bot"
	"loanbot/remind"
)

// maxBody is the largest request body any endpoint accepts.
const maxBody = 1 << 20

// runServe runs the server: health, readiness and metrics, the channels that
// are configured, and the reminder dispatcher, until SIGTERM; then it stops
// taking work and lets what is in flight finish (10 s at most).
func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	m := newMetrics()
	log := jsonLogger(stderr)
	log.Info("open-file limit", "limit", raiseFileLimit())
	cfg0, err := loadConfig()
	if err != nil {
		return err
	}
	a, err := newApp(ctx, stderr, log, redisHook{m}, bot.WithRateLimit(cfg0.UserRate), bot.WithObserver(m))
	if err != nil {
		return err
	}
	a.sends = sendMetrics{m}
	m.queueDepth("engine", a.engine.Queued)
	defer a.close()
	cfg, st, reminders := a.cfg, a.store, a.reminders
	if cfg.Sealer == nil {
		log.Warn("LOANBOT_DATA_KEY is unset: what users tell the bot is kept in Redis in the clear")
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		pctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		if err := st.Ping(pctx); err != nil {
			http.Error(w, "redis unavailable", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	// Metrics only on an address of their own: they tell how many people
	// use the bot and when, which is nobody's business on the public side.
	var metricsSrv *http.Server
	if cfg.MetricsAddr != "" {
		mm := http.NewServeMux()
		mm.Handle("GET /metrics", m.handler())
		metricsSrv = &http.Server{Addr: cfg.MetricsAddr, Handler: mm, ReadHeaderTimeout: 5 * time.Second}
		ml, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("LOANBOT_METRICS_ADDR=%q: %w", cfg.MetricsAddr, err)
		}
		go metricsSrv.Serve(ml)
		defer metricsSrv.Close()
		fmt.Fprintf(stderr, "loanbot: metrics on %s/metrics\n", ml.Addr())
	}

	senders := map[string]remind.Sender{}
	var workers sync.WaitGroup
	wctx, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorkers()
	closers, err := mountChannels(ctx, wctx, &workers, mux, senders, a, stderr)
	closeChannels := func() {
		for _, c := range closers {
			c()
		}
	}
	if err != nil {
		closeChannels()
		return err
	}

	dopts := []remind.DispatcherOption{remind.WithLogger(log), remind.WithObserver(m)}
	if cfg.SendRate > 0 && cfg.TelegramToken != "" {
		dopts = append(dopts, remind.WithSharedBudget(cfg.SendRate))
	}
	disp := remind.NewDispatcher(reminders, senders, dopts...)
	workers.Add(1)
	go func() { defer workers.Done(); disp.Run(wctx, time.Second) }()

	srv := &http.Server{Addr: cfg.ListenAddr, Handler: http.MaxBytesHandler(mux, maxBody),
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Fprintf(stderr, "loanbot: serving on %s\n", cfg.ListenAddr)
	select {
	case err := <-errc:
		closeChannels()
		stopWorkers()
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("LISTEN_ADDR=%q: %w", cfg.ListenAddr, err)
	case <-ctx.Done():
	}
	fmt.Fprintln(stderr, "loanbot: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The web chat's streams end first (they never go idle); its replies in
	// flight are waited for below, with the workers.
	workers.Add(1)
	go func() { defer workers.Done(); closeChannels() }()
	err = srv.Shutdown(sctx) // waits for requests in flight
	stopWorkers()
	done := make(chan struct{})
	go func() { workers.Wait(); close(done) }()
	select {
	case <-done:
	case <-sctx.Done():
	}
	return err
}
