package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	tg "github.com/go-telegram/bot"
)

// postJSON calls a Bot API method with a JSON body written in one piece.
// go-telegram/bot streams every request as multipart through a pipe, in
// chunks: several writes a message under load. The busy, small calls
// (sendMessage, answerCallbackQuery, editMessageReplyMarkup, sendChatAction)
// come here; uploads and set-up go through the library. Errors are the
// library's, so callers test both alike (tg.ErrorForbidden,
// *tg.TooManyRequestsError with errors.As).
func (a *Adapter) postJSON(ctx context.Context, method string, params any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.apiURL+"/bot"+a.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %s", method, a.redact(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %s", method, a.redact(err))
	}
	defer func() {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		resp.Body.Close()
	}()
	var r apiResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("%s: HTTP %d: %w", method, resp.StatusCode, err)
	}
	if r.OK {
		return nil
	}
	switch r.ErrorCode {
	case http.StatusForbidden:
		return fmt.Errorf("%s: %w, %s", method, tg.ErrorForbidden, r.Description)
	case http.StatusTooManyRequests:
		return &tg.TooManyRequestsError{Message: method + ": " + r.Description, RetryAfter: r.Parameters.RetryAfter}
	case http.StatusBadRequest:
		return fmt.Errorf("%s: %w, %s", method, tg.ErrorBadRequest, r.Description)
	case http.StatusUnauthorized:
		return fmt.Errorf("%s: %w, %s", method, tg.ErrorUnauthorized, r.Description)
	case http.StatusNotFound:
		return fmt.Errorf("%s: %w, %s", method, tg.ErrorNotFound, r.Description)
	}
	return fmt.Errorf("%s: %d %s", method, r.ErrorCode, r.Description)
}

// apiResponse is the Bot API's envelope; the result is not needed.
type apiResponse struct {
	OK          bool   `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}
