package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/scanpay/scanpay/checkout"
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
	PprofAddr           string
}

// errUsage means the flags were wrong; the flag package already said how.
var errUsage = errors.New("usage")

func exitCode(err error) int {
	if err == errUsage {
		return 2
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
	fs.StringVar(&c.BaseURL, "base-url", env("SCANPAY_BASE_URL", ""),
		"public URL of this gateway, used in QR codes and links; default http://localhost:PORT (SCANPAY_BASE_URL)")
	fs.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", envBool("SCANPAY_WEBHOOK_ALLOW_PRIVATE"),
		"let webhooks reach loopback and private addresses, for local development (SCANPAY_WEBHOOK_ALLOW_PRIVATE)")
	c.SecretKey = os.Getenv("SCANPAY_SECRET_KEY")
	fs.StringVar(&c.SecretKeyFile, "secret-key-file", env("SCANPAY_SECRET_KEY_FILE", "scanpay.key"),
		"file holding the master key, created on first use when SCANPAY_SECRET_KEY is not set (SCANPAY_SECRET_KEY_FILE)")
	fs.StringVar(&c.PprofAddr, "pprof-addr", env("SCANPAY_PPROF_ADDR", ""),
		"serve net/http/pprof on this address, apart from the API; off when empty. Keep it on localhost (SCANPAY_PPROF_ADDR)")
	fs.Int64Var(&c.MaxOrderAmount, "max-order-amount", envInt("SCANPAY_MAX_ORDER_AMOUNT", checkout.DefaultMaxAmount),
		"largest order amount accepted, in minor units (SCANPAY_MAX_ORDER_AMOUNT)")
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

// baseURL is the configured public URL, or one derived from the listen
// address for a gateway run on this machine.
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
