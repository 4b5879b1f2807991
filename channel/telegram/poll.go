package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Run long-polls for updates until ctx ends (it calls Start first if that
// was not done). Each batch is handled to the end, replies sent, before the
// next getUpdates confirms it: see the package doc.
func (a *Adapter) Run(ctx context.Context) error {
	if err := a.Start(ctx); err != nil {
		return err
	}
	var offset int64
	backoff := time.Second
	for ctx.Err() == nil {
		ups, err := a.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			a.log.Warn("telegram: getUpdates", "err", err, "retry_in", backoff)
			sleep(ctx, backoff)
			backoff = min(2*backoff, 30*time.Second)
			continue
		}
		backoff = time.Second
		// A batch is finished even when ctx ends meanwhile: what was
		// handled is answered, and the next start does not re-fetch it.
		a.handleBatch(context.WithoutCancel(ctx), ups)
		if n := len(ups); n > 0 {
			offset = ups[n-1].ID + 1 // past what is handled, not what is queued
		}
	}
	return nil
}

// getUpdates is one long poll.
func (a *Adapter) getUpdates(ctx context.Context, offset int64) ([]*update, error) {
	body, _ := json.Marshal(map[string]any{"offset": offset, "timeout": int(pollTimeout / time.Second), "allowed_updates": allowedUpdates})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.apiURL+"/bot"+a.token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %s", a.redact(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %s", a.redact(err))
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool      `json:"ok"`
		Result      []*update `json:"result"`
		ErrorCode   int       `json:"error_code"`
		Description string    `json:"description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("getUpdates: HTTP %d: %w", resp.StatusCode, err)
	}
	if !r.OK {
		return nil, fmt.Errorf("getUpdates: %d %s", r.ErrorCode, r.Description)
	}
	return r.Result, nil
}

// handleBatch hands the updates to the engine in order, then finishes them
// all: one chat's replies in its order (Adapter.chats), other chats in parallel.
func (a *Adapter) handleBatch(ctx context.Context, ups []*update) {
	finish := make([]func() bool, len(ups))
	for i, u := range ups {
		finish[i] = a.dispatch(ctx, u)
	}
	var wg sync.WaitGroup
	for _, f := range finish {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	wg.Wait()
}

// redact keeps the token out of errors (URLs carry it).
func (a *Adapter) redact(err error) string {
	return strings.ReplaceAll(err.Error(), a.token, "***")
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
