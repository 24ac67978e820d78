package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout/qr"
	"github.com/scanpay/scanpay/sdk"
)

// cancelTimeout bounds the cancel a till sends after Ctrl-C, when the
// command's own context is already over.
const cancelTimeout = 10 * time.Second

// outcome ends a till that charged one amount with the exit code of how
// the order ended: 3 expired, 4 canceled (0, paid, is no error).
type outcome sdk.OrderStatus

func (o outcome) Error() string {
	if sdk.OrderStatus(o) == sdk.OrderExpired {
		return "the code expired; no payment was taken"
	}
	return "the order was canceled; no payment was taken"
}

func (o outcome) exitCode() int {
	if sdk.OrderStatus(o) == sdk.OrderExpired {
		return 3
	}
	return 4
}

// till is a merchant's point of sale: it makes orders through the SDK,
// shows their QR codes in the terminal and waits for each outcome.
type till struct {
	client    *sdk.Client
	merchant  *sdk.Merchant
	currency  scanpay.Currency
	expiresIn int64
	json      bool
	terminal  bool // stdout is a terminal: the countdown counts in place
	stdout    io.Writer
}

// pos is the till. With --amount it charges that amount once and exits 0
// when it was paid, 3 when the code expired and 4 when the order was
// canceled. Without, it asks for one amount after another. Ctrl-C while
// it waits cancels the order through the API.
func pos(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var gw, key, amount, currency, reference string
	t := till{stdout: stdout}
	fs := newFlagSet("pos", stderr)
	fs.StringVar(&gw, "gateway", env("SCANPAY_BASE_URL", "http://localhost:8080"), "URL of the gateway (SCANPAY_BASE_URL)")
	fs.StringVar(&key, "key", env("SCANPAY_API_KEY", ""), "the merchant's secret key (SCANPAY_API_KEY)")
	fs.StringVar(&amount, "amount", "", "charge this amount, in major units (12.50), once, and exit: 0 paid, 3 expired, 4 canceled")
	fs.StringVar(&currency, "currency", "CNY", "currency of the amounts")
	fs.StringVar(&reference, "reference", "", "your own order number for the order (with --amount)")
	fs.Int64Var(&t.expiresIn, "expires-in", 0, "seconds each code may be paid for, 60 to 86400 (default 900)")
	fs.BoolVar(&t.json, "json", false, "with --amount: print the order (with its QR payload) and then its outcome as JSON lines")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case key == "":
		fmt.Fprintln(stderr, "pos needs --key (or SCANPAY_API_KEY)")
		return errUsage
	case t.json && amount == "":
		fmt.Fprintln(stderr, "--json needs --amount: the interactive till prints for people")
		return errUsage
	case reference != "" && amount == "":
		fmt.Fprintln(stderr, "--reference needs --amount: the interactive till asks for each order's")
		return errUsage
	}
	var ok bool
	if t.currency, ok = scanpay.LookupCurrency(currency); !ok {
		return fmt.Errorf("--currency %q is not an upper-case ISO 4217 code the gateway knows", currency)
	}
	if f, isFile := stdout.(*os.File); isFile {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			t.terminal = true
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	t.client = sdk.NewClient(key, sdk.WithBaseURL(gw), sdk.WithLogger(log))
	m, err := t.client.Merchant.Get(ctx)
	if apiErr, isAPI := errors.AsType[*sdk.Error](err); isAPI {
		return fmt.Errorf("the gateway at %s refused the key: %s", gw, apiErr.Message)
	} else if err != nil {
		return fmt.Errorf("is the gateway running at %s? %w", gw, err)
	}
	t.merchant = m

	if amount == "" {
		return t.interactive(ctx, stdin)
	}
	minor, err := t.parseAmount(amount)
	if err != nil {
		return fmt.Errorf("--amount: %w", err)
	}
	o, err := t.charge(ctx, minor, reference)
	if err != nil {
		return err
	}
	if o.Status == sdk.OrderExpired || o.Status == sdk.OrderCanceled {
		return outcome(o.Status)
	}
	return nil
}

// parseAmount reads major units exactly: "12.345" of yuan is an error,
// never a rounding.
func (t *till) parseAmount(s string) (int64, error) {
	minor, ok := t.currency.ParseMajor(strings.TrimSpace(s))
	if !ok || minor <= 0 {
		example := t.currency.FormatMajor(1250)
		return 0, fmt.Errorf("%q is not an amount of %s: a positive number with at most %d decimals, such as %s",
			s, t.currency.Code, t.currency.Exponent, example)
	}
	return minor, nil
}

// interactive asks for an amount and an optional reference, charges it,
// and asks again, until stdin ends or Ctrl-C.
func (t *till) interactive(ctx context.Context, stdin io.Reader) error {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	ask := func(prompt string) (string, bool) {
		fmt.Fprint(t.stdout, prompt)
		select {
		case line, ok := <-lines:
			return strings.TrimSpace(line), ok
		case <-ctx.Done():
			return "", false
		}
	}
	mode := "test mode"
	if t.merchant.Livemode {
		mode = "live"
	}
	fmt.Fprintf(t.stdout, "Scanpay till for %s (%s). Amounts in %s; Ctrl-D to close the till, Ctrl-C to cancel an order.\n",
		t.merchant.Name, mode, t.currency.Code)
	for {
		line, ok := ask(fmt.Sprintf("\nAmount (%s): ", t.currency.Code))
		if !ok {
			fmt.Fprintln(t.stdout)
			return nil
		}
		if line == "" {
			continue
		}
		minor, err := t.parseAmount(line)
		if err != nil {
			fmt.Fprintln(t.stdout, err)
			continue
		}
		reference, ok := ask("Reference (optional): ")
		if !ok {
			fmt.Fprintln(t.stdout)
			return nil
		}
		o, err := t.charge(ctx, minor, reference)
		if apiErr, isAPI := errors.AsType[*sdk.Error](err); isAPI && apiErr.HTTPStatus < 500 {
			fmt.Fprintln(t.stdout, "Not charged:", apiErr.Message)
			continue
		}
		if err != nil {
			return err
		}
		if ctx.Err() != nil { // Ctrl-C: the till closes once the order is settled
			if o.Status == sdk.OrderCanceled {
				return outcome(o.Status)
			}
			return nil
		}
	}
}

// charge makes an order of amount, shows its code and waits for its
// outcome, then prints the receipt and returns the order as it ended.
// Ctrl-C (ctx ending) while it waits cancels the order.
func (t *till) charge(ctx context.Context, amount int64, reference string) (*sdk.Order, error) {
	o, err := t.client.Orders.Create(ctx, &sdk.OrderCreateParams{Amount: amount, Currency: t.currency.Code,
		Reference: reference, ExpiresIn: t.expiresIn})
	if err != nil {
		return nil, err
	}
	if err := t.show(o); err != nil {
		return nil, err
	}
	ended, err := t.wait(ctx, o)
	if err != nil {
		return nil, err
	}
	t.receipt(ended)
	return ended, nil
}

// show prints the order's code: as JSON, or drawn in the terminal with
// the amount and the time it may be paid in.
func (t *till) show(o *sdk.Order) error {
	if t.json {
		return t.printJSON(o)
	}
	art, err := qr.Terminal(o.QR.Payload)
	if err != nil {
		return err
	}
	fmt.Fprintf(t.stdout, "\n%s\n  %s  %s\n  %s: scan to pay\n", art, t.money(o.Amount), t.merchant.Name, o.ID)
	if !t.terminal {
		fmt.Fprintf(t.stdout, "  Expires in %s, at %s\n", countdown(time.Until(o.ExpiresAt)), o.ExpiresAt.Local().Format(time.TimeOnly))
	}
	return nil
}

// wait follows the order until it is paid, expired or canceled; on a
// terminal the countdown counts in place meanwhile. When ctx ends first,
// it cancels the order, and returns it as it then is: a payment that came
// in first stands.
func (t *till) wait(ctx context.Context, o *sdk.Order) (*sdk.Order, error) {
	type result struct {
		o   *sdk.Order
		err error
	}
	done := make(chan result, 1)
	go func() {
		ended, err := t.client.Orders.Await(ctx, o.ID)
		done <- result{ended, err}
	}()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		if t.terminal && !t.json {
			fmt.Fprintf(t.stdout, "\r  Expires in %s ", countdown(time.Until(o.ExpiresAt)))
		}
		select {
		case r := <-done:
			if t.terminal && !t.json {
				fmt.Fprintln(t.stdout)
			}
			if ctx.Err() != nil {
				return t.cancel(ctx, o.ID)
			}
			return r.o, r.err
		case <-tick.C:
		}
	}
}

// cancel cancels the order after Ctrl-C, with a context of its own since
// the command's is over. An order that was paid or expired meanwhile is
// returned as it ended.
func (t *till) cancel(ctx context.Context, id string) (*sdk.Order, error) {
	ctx, stop := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
	defer stop()
	o, err := t.client.Orders.Cancel(ctx, id, nil)
	if errors.Is(err, sdk.ErrOrderNotCancelable) {
		return t.client.Orders.Get(ctx, id)
	}
	return o, err
}

// receipt prints how the order ended: the receipt of a payment, or that
// none was taken.
func (t *till) receipt(o *sdk.Order) {
	if t.json {
		t.printJSON(o)
		return
	}
	switch o.Status {
	case sdk.OrderExpired, sdk.OrderCanceled:
		fmt.Fprintf(t.stdout, "\n  %s %s: no payment was taken.\n", o.ID, o.Status)
		return
	}
	paid := "-"
	if o.PaidAt != nil {
		paid = o.PaidAt.Local().Format("2006-01-02 15:04:05 MST")
	}
	line := strings.Repeat("-", 40)
	fmt.Fprintf(t.stdout, "\n  %s\n  %s\n  %-10s %s\n  %-10s %s\n  %-10s %s\n  %-10s %s\n  %-10s %s\n  %s\n  PAID\n",
		line, t.merchant.Name,
		"Amount", t.money(o.Amount),
		"Discount", t.money(o.AmountDiscount),
		"Paid", t.money(o.AmountPaid),
		"Order", o.ID,
		"Time", paid,
		line)
}

func (t *till) money(minor int64) string {
	return t.currency.FormatMajor(minor) + " " + t.currency.Code
}

func (t *till) printJSON(o *sdk.Order) error {
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(t.stdout, "%s\n", b)
	return err
}

// countdown writes a duration as mm:ss, never below zero.
func countdown(d time.Duration) string {
	s := max(int64(d.Round(time.Second)/time.Second), 0)
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}
