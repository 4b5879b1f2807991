package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
)

// maxUpdate is the largest webhook body accepted; an update is a few KB.
const maxUpdate = 1 << 20

// WebhookHandler serves Telegram's webhook POSTs. It checks the secret
// token in constant time (401), refuses a body over 1 MB (413) or one that
// is not an update (400), and answers 200 only once the update is handled
// and its replies sent, so Telegram, which waits for the answer, delivers
// one chat's updates in order, and re-delivers what was not finished (503).
func (a *Adapter) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if a.secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(a.secret)) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var u update
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxUpdate)).Decode(&u); err != nil {
			if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
				http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "not an update", http.StatusBadRequest)
			return
		}
		// The update is finished even if Telegram hangs up meanwhile.
		if !a.dispatch(context.WithoutCancel(r.Context()), &u)() {
			http.Error(w, "not handled, deliver again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
