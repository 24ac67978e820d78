package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/scanpay/scanpay/sdk"
	"github.com/scanpay/scanpay/webhooks"
)

// forwardTimeout bounds one POST to the local receiver.
const forwardTimeout = 10 * time.Second

// listen streams the merchant's events from a gateway and POSTs each to a
// local URL, signed with a secret of its own that it prints, as `stripe
// listen` does: a developer's laptop receives webhooks from a gateway that
// cannot reach it. The stream resumes after a dropped connection without
// losing or repeating an event.
func listen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var gw, key, forwardTo string
	fs := newFlagSet("listen", stderr)
	fs.StringVar(&gw, "gateway", env("SCANPAY_BASE_URL", "http://localhost:8080"), "URL of the gateway (SCANPAY_BASE_URL)")
	fs.StringVar(&key, "key", env("SCANPAY_API_KEY", ""), "the merchant's secret key (SCANPAY_API_KEY)")
	fs.StringVar(&forwardTo, "forward-to", "", "local URL to POST each event to, e.g. http://localhost:4242/webhooks")
	if err := parse(fs, args); err != nil {
		return err
	}
	if key == "" || forwardTo == "" {
		fmt.Fprintln(stderr, "listen needs --key (or SCANPAY_API_KEY) and --forward-to")
		return errUsage
	}
	if u, err := url.Parse(forwardTo); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprintf(stderr, "--forward-to %q is not an http(s) URL\n", forwardTo)
		return errUsage
	}
	// Reconnections are worth a line on stderr; requests are not.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	client := sdk.NewClient(key, sdk.WithBaseURL(gw), sdk.WithLogger(log))
	stream, err := client.Events.Stream(ctx, nil)
	if apiErr, ok := errors.AsType[*sdk.Error](err); ok {
		return fmt.Errorf("the gateway at %s refused the event stream: %s", gw, apiErr.Message)
	} else if err != nil {
		return fmt.Errorf("is the gateway running at %s? %w", gw, err)
	}
	defer stream.Close()

	secret := webhooks.NewSecret()
	fmt.Fprintf(stdout, "Ready! Forwarding events from %s to %s\nYour webhook signing secret is %s (^C to stop)\n", gw, forwardTo, secret)
	hc := &http.Client{Timeout: forwardTimeout}
	for {
		ev, err := stream.Next()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("event stream: %w", err)
		}
		outcome := forward(ctx, hc, forwardTo, secret, ev)
		fmt.Fprintf(stdout, "%s  %-18s %s  -> %s\n", time.Now().Format("15:04:05"), ev.Type, ev.ID, outcome)
	}
}

// forward POSTs the event as the gateway would deliver it, signed with
// secret, and says how the receiver answered.
func forward(ctx context.Context, hc *http.Client, to, secret string, ev *sdk.Event) string {
	body := ev.Raw()
	header, err := webhooks.Headers([]string{secret}, ev.ID, time.Now(), body)
	if err != nil {
		return "not sent: " + err.Error()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, to, bytes.NewReader(body))
	if err != nil {
		return "not sent: " + err.Error()
	}
	req.Header = header
	resp, err := hc.Do(req)
	if err != nil {
		return "failed: " + err.Error()
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return "[" + resp.Status + "]"
}
