package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/gateway"
	"github.com/scanpay/scanpay/webhooks"
)

// Config is everything the gateway can be told, from flags and SCANPAY_*
// environment variables (flags win). main builds one and passes the parts
// each package needs.
type Config struct {
	Addr                string
	DatabaseURL         string
	BaseURL             string
	WebhookAllowPrivate bool
	LogFormat           string
	LogLevel            string
	MaxOrderAmount      int64
	SecretKey           string
	SecretKeyFile       string
	TrustedProxies      string
	SignInLimit         int64
	WebhookLease        time.Duration
	MetricsAddr         string
	StaticQRDailyLimit  string
	PprofAddr           string
	DBMaxConns          int64
}

// errUsage means the flags were wrong; the flag package already said how.
var errUsage = errors.New("usage")

func exitCode(err error) int {
	if err == errUsage {
		return 2
	}
	if o, ok := errors.AsType[outcome](err); ok {
		return o.exitCode()
	}
	return 1
}

func env(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return fallback
}

func envBool(name string) bool {
	v, _ := strconv.ParseBool(os.Getenv(name))
	return v
}

func envInt(name string, fallback int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil {
		return v
	}
	return fallback
}

func envDuration(name string, fallback time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return v
	}
	return fallback
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func (c *Config) databaseFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.DatabaseURL, "db", env("SCANPAY_DATABASE_URL", "sqlite://scanpay.db"),
		"database: sqlite://PATH or postgres://... (SCANPAY_DATABASE_URL)")
}

func (c *Config) logFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.LogFormat, "log-format", env("SCANPAY_LOG_FORMAT", "text"), "log format: text or json (SCANPAY_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", env("SCANPAY_LOG_LEVEL", "info"), "log level: debug, info, warn, error (SCANPAY_LOG_LEVEL)")
}

func (c *Config) serveFlags(fs *flag.FlagSet) {
	c.databaseFlag(fs)
	c.logFlags(fs)
	fs.StringVar(&c.Addr, "addr", env("SCANPAY_ADDR", ":8080"), "listen address (SCANPAY_ADDR)")
	c.baseURLFlag(fs)
	fs.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", envBool("SCANPAY_WEBHOOK_ALLOW_PRIVATE"),
		"let webhooks reach loopback and private addresses, for local development (SCANPAY_WEBHOOK_ALLOW_PRIVATE)")
	c.secretKeyFlag(fs)
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("SCANPAY_METRICS_ADDR", ""),
		"serve Prometheus /metrics on this address instead of the gateway's own (SCANPAY_METRICS_ADDR)")
	fs.Int64Var(&c.DBMaxConns, "db-max-conns", envInt("SCANPAY_DB_MAX_CONNS", 0),
		"database connections at most; 0 picks 4 per core on PostgreSQL, 8 on SQLite (SCANPAY_DB_MAX_CONNS)")
	fs.StringVar(&c.PprofAddr, "pprof-addr", env("SCANPAY_PPROF_ADDR", ""),
		"serve net/http/pprof on this address, apart from the API; off when empty. Keep it on localhost (SCANPAY_PPROF_ADDR)")
	fs.DurationVar(&c.WebhookLease, "webhook-lease", envDuration("SCANPAY_WEBHOOK_LEASE", webhooks.DefaultLease),
		"how long a delivery claimed by a gateway that then died stays hidden before another sends it; at least 11s (SCANPAY_WEBHOOK_LEASE)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", env("SCANPAY_TRUSTED_PROXIES", ""),
		"comma-separated addresses or CIDRs of proxies whose X-Forwarded-For names the client; none by default (SCANPAY_TRUSTED_PROXIES)")
	fs.Int64Var(&c.SignInLimit, "sign-in-limit", envInt("SCANPAY_SIGN_IN_LIMIT", gateway.DefaultSignInLimit),
		"failed wallet sign-ins and sign-ups allowed per client address in 10 minutes (SCANPAY_SIGN_IN_LIMIT)")
	fs.Int64Var(&c.MaxOrderAmount, "max-order-amount", envInt("SCANPAY_MAX_ORDER_AMOUNT", checkout.DefaultMaxAmount),
		"largest order amount accepted, in minor units (SCANPAY_MAX_ORDER_AMOUNT)")
	fs.StringVar(&c.StaticQRDailyLimit, "static-qr-daily-limit", env("SCANPAY_STATIC_QR_DAILY_LIMIT", "CNY:500.00"),
		"what one payer may pay through static codes in a day (China Standard Time), per currency in major units, "+
			"e.g. CNY:500.00,HKD:550.00; unlisted currencies are not capped, \"none\" caps nothing (SCANPAY_STATIC_QR_DAILY_LIMIT)")
}

// staticQRDailyLimits reads --static-qr-daily-limit: CODE:AMOUNT pairs,
// amounts in major units parsed exactly, or "none".
func (c *Config) staticQRDailyLimits() (map[string]int64, error) {
	limits := map[string]int64{}
	if strings.TrimSpace(c.StaticQRDailyLimit) == "none" {
		return limits, nil
	}
	for _, pair := range strings.Split(c.StaticQRDailyLimit, ",") {
		code, amount, _ := strings.Cut(strings.TrimSpace(pair), ":")
		cur, ok := scanpay.LookupCurrency(code)
		minor, exact := cur.ParseMajor(amount)
		if !ok || !exact || minor <= 0 {
			return nil, fmt.Errorf("--static-qr-daily-limit %q: want CODE:AMOUNT pairs such as CNY:500.00 (an upper-case currency code, a positive amount in major units), or none (SCANPAY_STATIC_QR_DAILY_LIMIT)", c.StaticQRDailyLimit)
		}
		limits[cur.Code] = minor
	}
	return limits, nil
}

// baseURLFlag adds --base-url: the gateway's public URL, which links carry.
func (c *Config) baseURLFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.BaseURL, "base-url", env("SCANPAY_BASE_URL", ""),
		"public URL of this gateway, used in QR codes and links; default http://HOST:PORT of --addr, localhost when it names no host (SCANPAY_BASE_URL)")
}

// secretKeyFlag reads SCANPAY_SECRET_KEY and adds --secret-key-file: where
// the master key comes from.
func (c *Config) secretKeyFlag(fs *flag.FlagSet) {
	c.SecretKey = os.Getenv("SCANPAY_SECRET_KEY")
	fs.StringVar(&c.SecretKeyFile, "secret-key-file", env("SCANPAY_SECRET_KEY_FILE", "scanpay.key"),
		"file holding the master key, created on first use when SCANPAY_SECRET_KEY is not set (SCANPAY_SECRET_KEY_FILE)")
}

// flagError words a *scanpay.Error whose param is one of fs's flags as the
// command line was typed: "--name is required", not "name is required".
func flagError(fs *flag.FlagSet, err error) error {
	e, ok := scanpay.ErrorOf(err)
	if !ok || e.Param == "" {
		return err
	}
	name := strings.ReplaceAll(e.Param, "_", "-")
	if fs.Lookup(name) == nil {
		return err
	}
	if rest, ok := strings.CutPrefix(e.Message, e.Param+" "); ok {
		return e.WithMessage("--%s %s", name, rest)
	}
	return e.WithMessage("--%s: %s", name, e.Message)
}

// parse reads args into fs, turning flag errors into errUsage.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	return nil
}

// checkBaseURL refuses a --base-url that QR codes and links cannot be
// built on: it must be an absolute http or https URL with a host, and no
// user, query or fragment, since paths are appended to it.
func (c *Config) checkBaseURL() error {
	if c.BaseURL == "" {
		return nil
	}
	u, err := url.Parse(c.BaseURL)
	switch {
	case err != nil, u.Scheme != "http" && u.Scheme != "https", u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("--base-url %q must be an absolute http:// or https:// URL, e.g. https://pay.example.com (SCANPAY_BASE_URL)", c.BaseURL)
	case u.User != nil, u.RawQuery != "" || u.ForceQuery, u.Fragment != "" || strings.Contains(c.BaseURL, "#"):
		return fmt.Errorf("--base-url %q must have no user, query or fragment: paths are appended to it (SCANPAY_BASE_URL)", c.BaseURL)
	}
	return nil
}

// baseURL is the configured public URL, or one derived from the listen
// address for a gateway run on this machine: the address's host when it
// names one (--addr 127.0.0.1:9000 gives http://127.0.0.1:9000), localhost
// when it listens on every interface.
func (c *Config) baseURL(listenAddr string) string {
	if c.BaseURL != "" {
		return strings.TrimRight(c.BaseURL, "/")
	}
	host, port, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func (c *Config) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", c.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.LogFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: use text or json", c.LogFormat)
}

// trustedProxies splits the --trusted-proxies list.
func (c *Config) trustedProxies() []string {
	var out []string
	for _, p := range strings.Split(c.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
