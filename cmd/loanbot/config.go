package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"loanbot/bot"
	"loanbot/channel/telegram"
	"loanbot/channel/wechat"
	"loanbot/faq"
	"loanbot/remind"
	"loanbot/store"
)

// config is the environment, read and checked once at start-up.
type config struct {
	RedisURL   string
	ListenAddr string
	TZ         *time.Location
	Sealer     *store.Sealer // nil when LOANBOT_DATA_KEY is unset

	TelegramToken, TelegramAPIURL, TelegramWebhookURL, TelegramWebhookSecret string

	WeChat wechat.Config // WECHAT_*: on when Token is set

	Web            bool     // LOANBOT_WEB: the web chat at "/" (default on)
	WebSecret      []byte   // LOANBOT_WEB_SECRET; nil: the one kept in Redis
	TrustedProxies []string // LOANBOT_TRUSTED_PROXIES: whose X-Forwarded-For names the client
	WebNewUsers    int      // LOANBOT_WEB_NEW_USERS: new web identities per client address an hour (0: no bound)

	MetricsAddr string // LOANBOT_METRICS_ADDR: where /metrics is served ("": nowhere)

	SendRate int // TELEGRAM_SEND_RATE: messages a second for the whole bot (0: off)
	UserRate int // LOANBOT_USER_RATE: a user's messages a minute (0: off)
}

// loadConfig reads the environment and names the variable that is wrong.
func loadConfig() (config, error) {
	c := config{RedisURL: os.Getenv("REDIS_URL"), ListenAddr: envOr("LISTEN_ADDR", ":8080")}
	tz := envOr("LOANBOT_TZ", "Asia/Shanghai")
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return c, fmt.Errorf("LOANBOT_TZ=%q is not a time zone name (e.g. Asia/Shanghai): %w", tz, err)
	}
	c.TZ = loc
	c.TelegramToken, c.TelegramAPIURL = os.Getenv("TELEGRAM_BOT_TOKEN"), os.Getenv("TELEGRAM_API_URL")
	c.TelegramWebhookURL, c.TelegramWebhookSecret = os.Getenv("TELEGRAM_WEBHOOK_URL"), os.Getenv("TELEGRAM_WEBHOOK_SECRET")
	if c.TelegramWebhookURL != "" {
		u, err := url.Parse(c.TelegramWebhookURL)
		if err != nil || u.Scheme != "https" || u.Path == "" {
			return c, fmt.Errorf("TELEGRAM_WEBHOOK_URL=%q: want an https:// URL with a path, e.g. https://bot.example.org/telegram", c.TelegramWebhookURL)
		}
	}
	c.WeChat = wechat.Config{Token: os.Getenv("WECHAT_TOKEN"), AESKey: os.Getenv("WECHAT_AES_KEY"),
		AppID: os.Getenv("WECHAT_APP_ID"), AppSecret: os.Getenv("WECHAT_APP_SECRET"),
		APIURL: os.Getenv("WECHAT_API_URL"), TemplateID: os.Getenv("WECHAT_REMINDER_TEMPLATE_ID"),
		Mode: os.Getenv("WECHAT_MODE")}
	if w := c.WeChat; w.Token != "" {
		if w.AESKey != "" && len(w.AESKey) != 43 {
			return c, fmt.Errorf("WECHAT_AES_KEY: %d characters; the EncodingAESKey of the account's server settings has 43", len(w.AESKey))
		}
		if w.AESKey != "" && w.AppID == "" {
			return c, errors.New("WECHAT_APP_ID: needed with WECHAT_AES_KEY (the encrypted messages end with it)")
		}
		switch w.Mode {
		case "", wechat.ModePlain:
		case wechat.ModeSafe, wechat.ModeCompatible:
			if w.AESKey == "" {
				return c, fmt.Errorf("WECHAT_MODE=%s: needs WECHAT_AES_KEY", w.Mode)
			}
		default:
			return c, fmt.Errorf("WECHAT_MODE=%q: want safe, compatible or plain", w.Mode)
		}
		if w.APIURL != "" {
			if u, err := url.Parse(w.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return c, fmt.Errorf("WECHAT_API_URL=%q: want an http(s):// URL", w.APIURL)
			}
		}
	}
	switch v := strings.ToLower(os.Getenv("LOANBOT_WEB")); v {
	case "", "on", "1", "true":
		c.Web = true
	case "off", "0", "false":
	default:
		return c, fmt.Errorf("LOANBOT_WEB=%q: want on or off", v)
	}
	if v := os.Getenv("LOANBOT_WEB_SECRET"); v != "" {
		if len(v) < 16 {
			return c, errors.New("LOANBOT_WEB_SECRET: too short; use at least 16 random characters (e.g. openssl rand -hex 32)")
		}
		c.WebSecret = []byte(v)
	}
	for _, p := range strings.Split(os.Getenv("LOANBOT_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return c, fmt.Errorf("LOANBOT_TRUSTED_PROXIES: %q is neither an address nor a CIDR (e.g. 10.0.0.0/8)", p)
			}
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	if c.SendRate, err = rateVar("TELEGRAM_SEND_RATE", 30, 1000, "messages a second for the whole bot (Telegram's limit is 30; paid broadcasts allow up to 1000)"); err != nil {
		return c, err
	}
	if c.UserRate, err = rateVar("LOANBOT_USER_RATE", 20, 1000, "messages a minute per user"); err != nil {
		return c, err
	}
	c.WebNewUsers = 20
	if v := strings.ToLower(os.Getenv("LOANBOT_WEB_NEW_USERS")); v == "off" {
		c.WebNewUsers = 0
	} else if v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return c, fmt.Errorf("LOANBOT_WEB_NEW_USERS=%q: want a number of new web users per client address an hour (e.g. 20), or off", v)
		}
		c.WebNewUsers = n
	}
	if c.MetricsAddr = os.Getenv("LOANBOT_METRICS_ADDR"); c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return c, fmt.Errorf("LOANBOT_METRICS_ADDR=%q: want host:port, e.g. 127.0.0.1:9091 (not the public listener)", c.MetricsAddr)
		}
		if c.MetricsAddr == c.ListenAddr {
			return c, fmt.Errorf("LOANBOT_METRICS_ADDR=%q: the same as LISTEN_ADDR; metrics go on an address of their own", c.MetricsAddr)
		}
	}
	if spec := os.Getenv("LOANBOT_DATA_KEY"); spec != "" {
		if c.Sealer, err = store.ParseDataKey(spec); err != nil {
			return c, err
		}
	}
	return c, nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// newStore is the store the binary runs on: encrypted at rest when
// LOANBOT_DATA_KEY is set, counting messages per minute for the rate limit.
func newStore(rdb redis.UniversalClient, cfg config) *store.Store {
	st := store.New(rdb).WithRateWindow(time.Minute).WithSessionCache(store.SessionCacheSize)
	if cfg.Sealer != nil {
		st = st.WithSealer(cfg.Sealer)
	}
	return st
}

// openRedis connects to REDIS_URL, or starts the embedded Redis and says on
// stderr that nothing persists.
func openRedis(ctx context.Context, url string, stderr io.Writer) (redis.UniversalClient, func(), error) {
	if url == "" {
		rdb, stop, err := store.Embedded()
		if err != nil {
			return nil, nil, err
		}
		fmt.Fprintln(stderr, "loanbot: REDIS_URL is not set: using an embedded in-process Redis; nothing persists after this process ends.")
		return rdb, stop, nil
	}
	rdb, err := store.Open(url)
	if err != nil {
		return nil, nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		rdb.Close()
		return nil, nil, fmt.Errorf("REDIS_URL: Redis does not answer: %w", err)
	}
	return rdb, func() { rdb.Close() }, nil
}

// app is what every long-running command builds from the configuration.
type app struct {
	cfg       config
	rdb       redis.UniversalClient
	store     *store.Store
	reminders *remind.Service
	engine    *bot.Engine
	close     func()
	sends     telegram.Observer // every channel's sends (serve's metrics), or nil
}

// newApp reads the configuration, connects to Redis (or starts the embedded
// one), loads the FAQ and builds the engine with opts added.
func newApp(ctx context.Context, stderr io.Writer, log *slog.Logger, hook redis.Hook, opts ...bot.Option) (*app, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	rdb, closeRedis, err := openRedis(ctx, cfg.RedisURL, stderr)
	if err != nil {
		return nil, err
	}
	if hook != nil {
		rdb.AddHook(hook)
	}
	kb, err := faq.Load()
	if err != nil {
		closeRedis()
		return nil, err
	}
	st := newStore(rdb, cfg)
	reminders := remind.NewService(st, cfg.TZ.String())
	opts = append([]bot.Option{bot.WithLogger(log, cfg.Sealer.LogKey()), bot.WithReminders(reminders)}, opts...)
	eng, err := bot.New(st, kb, opts...)
	if err != nil {
		closeRedis()
		return nil, err
	}
	return &app{cfg: cfg, rdb: rdb, store: st, reminders: reminders, engine: eng, close: closeRedis}, nil
}

// rateVar reads a rate: a whole number from 1 to max, or off (0); def
// when unset. A wrong value is named with what it means.
func rateVar(name string, def, max int, what string) (int, error) {
	v := strings.ToLower(strings.TrimSpace(os.Getenv(name)))
	switch v {
	case "":
		return def, nil
	case "off":
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, fmt.Errorf("%s=%q: want %s, from 1 to %d, or off", name, v, what, max)
	}
	return n, nil
}
