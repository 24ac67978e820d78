package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// loadReport is what a load run measured; --json prints it as it is.
type loadReport struct {
	Gateways      []string     `json:"gateways"`
	Clients       int          `json:"clients"`
	Mode          string       `json:"mode"` // "closed" or "open"
	Rate          float64      `json:"rate,omitempty"`
	Duration      float64      `json:"duration_s"`
	Elapsed       float64      `json:"elapsed_s"` // until the last iteration ended
	Created       int64        `json:"created"`
	Paid          int64        `json:"paid"`
	PaidPerSecond float64      `json:"paid_per_s"`
	Topups        int64        `json:"topups"`
	Latency       latencies    `json:"latency_ms"`
	Errors        errorSummary `json:"errors"`
	// WebhookWaitsTimedOut counts iterations that stopped waiting for
	// their webhook after the grace period.
	WebhookWaitsTimedOut int64         `json:"webhook_waits_timed_out"`
	Webhooks             webhookCounts `json:"webhooks"`
	Schedule             *openLoop     `json:"schedule,omitempty"`
	ToolCPU              toolCPU       `json:"tool_cpu"`
	Failures             int64         `json:"failures"`
}

type latencies struct {
	Create          latencySummary `json:"create"`
	Pay             latencySummary `json:"pay"`
	CommitToWebhook latencySummary `json:"commit_to_webhook"`
}

// latencySummary is in milliseconds.
type latencySummary struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
}

type errorSummary struct {
	Total  int64        `json:"total"`
	ByCode []errorCount `json:"by_code"`
}

type errorCount struct {
	errorKey
	Count int64 `json:"count"`
}

// openLoop is how well an open-loop run kept to its timetable.
type openLoop struct {
	Intended   int64   `json:"intended"`
	Started    int64   `json:"started"`
	NotStarted int64   `json:"not_started"`
	Late       int64   `json:"late"`
	MaxLagMS   float64 `json:"max_lag_ms"`
	// FellBehind says the tool could not keep to the rate: iterations were
	// left unstarted, or more than 1 % started late, because every client
	// was busy (raise --clients) or the tool lacked CPU.
	FellBehind bool `json:"fell_behind"`
}

// toolCPU is the load tool's own CPU during the run. Cores near 1 or more
// mean the tool, not the gateway, may be what limits the rate.
type toolCPU struct {
	Seconds        float64 `json:"seconds"`
	Cores          float64 `json:"cores"`
	PerPaidOrderMS float64 `json:"per_paid_order_ms"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func summarize(h *histogram) latencySummary {
	return latencySummary{Count: h.n, P50: ms(h.percentile(0.50)), P90: ms(h.percentile(0.90)),
		P99: ms(h.percentile(0.99)), Max: ms(h.max)}
}

// buildReport merges what the clients and the receiver counted.
func buildReport(cfg loadConfig, p *pacer, stats []*clientStats, hooks webhookCounts, commit *histogram, elapsed, cpu time.Duration) loadReport {
	r := loadReport{Gateways: cfg.gateways, Clients: cfg.clients, Mode: "closed", Rate: cfg.rate,
		Duration: cfg.duration.Seconds(), Elapsed: elapsed.Seconds(), Webhooks: hooks}
	var create, pay histogram
	byCode := map[errorKey]int64{}
	var sched schedule
	for _, s := range stats {
		create.merge(&s.create)
		pay.merge(&s.pay)
		r.Created += s.created
		r.Paid += s.paid
		r.Topups += s.topups
		r.WebhookWaitsTimedOut += s.webhookTimeouts
		for k, n := range s.errors {
			byCode[k] += n
			r.Errors.Total += n
		}
		sched.Started += s.schedule.Started
		sched.Late += s.schedule.Late
		sched.MaxLag = max(sched.MaxLag, s.schedule.MaxLag)
	}
	r.Errors.ByCode = []errorCount{}
	for k, n := range byCode {
		r.Errors.ByCode = append(r.Errors.ByCode, errorCount{k, n})
	}
	slices.SortFunc(r.Errors.ByCode, func(a, b errorCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Step, b.Step), cmp.Compare(a.Status, b.Status), cmp.Compare(a.Code, b.Code))
	})
	r.Latency = latencies{Create: summarize(&create), Pay: summarize(&pay), CommitToWebhook: summarize(commit)}
	if elapsed > 0 {
		r.PaidPerSecond = float64(r.Paid) / elapsed.Seconds()
		r.ToolCPU.Cores = cpu.Seconds() / elapsed.Seconds()
	}
	if cfg.rate > 0 {
		r.Mode = "open"
		o := &openLoop{Intended: p.intended(), Started: sched.Started, Late: sched.Late, MaxLagMS: ms(sched.MaxLag)}
		o.NotStarted = max(o.Intended-o.Started, 0)
		o.FellBehind = o.NotStarted > 0 || o.Late*100 > o.Started
		r.Schedule = o
	}
	r.ToolCPU.Seconds = cpu.Seconds()
	if r.Paid > 0 {
		r.ToolCPU.PerPaidOrderMS = ms(cpu) / float64(r.Paid)
	}
	r.Failures = r.Errors.Total + hooks.failures()
	return r
}

// writeText prints the report for a person.
func (r loadReport) writeText(w io.Writer) {
	loop := fmt.Sprintf("closed loop, %d clients", r.Clients)
	if r.Mode == "open" {
		loop = fmt.Sprintf("open loop at %g/s, %d clients", r.Rate, r.Clients)
	}
	fmt.Fprintf(w, "scanpay loadtest: %s, %gs against %s\n\n", loop, r.Duration, strings.Join(r.Gateways, ", "))
	fmt.Fprintf(w, "paid orders   %d in %.2fs = %.1f/s (created %d, wallet top-ups %d)\n\n", r.Paid, r.Elapsed, r.PaidPerSecond, r.Created, r.Topups)
	fmt.Fprintf(w, "latency (ms)          p50      p90      p99      max    count\n")
	for _, l := range []struct {
		name string
		s    latencySummary
	}{{"create", r.Latency.Create}, {"pay", r.Latency.Pay}, {"commit → webhook", r.Latency.CommitToWebhook}} {
		fmt.Fprintf(w, "  %-16s %8.2f %8.2f %8.2f %8.2f %8d\n", l.name, l.s.P50, l.s.P90, l.s.P99, l.s.Max, l.s.Count)
	}
	if r.Mode == "open" {
		fmt.Fprintln(w, "  (create and pay are timed from each iteration's intended start)")
	}
	fmt.Fprintln(w)
	if r.Errors.Total == 0 {
		fmt.Fprintln(w, "errors        none")
	} else {
		fmt.Fprintf(w, "errors        %d\n", r.Errors.Total)
		for _, e := range r.Errors.ByCode {
			fmt.Fprintf(w, "  %-8s %3d %-32s %d\n", e.Step, e.Status, e.Code, e.Count)
		}
	}
	h := r.Webhooks
	fmt.Fprintf(w, "webhooks      received %d, missing %d, bad signatures %d, duplicated %d (the same attempt twice: %d), second events %d\n",
		h.Received, h.Missing, h.BadSignature, h.Duplicated, h.SameAttemptTwice, h.SecondEvent)
	fmt.Fprintf(w, "              before the pay answer %d (counted as 0 ms), after a refused payment %d, after an unanswered one %d,\n",
		h.BeforePayAnswer, h.AfterRefusal, h.AfterNoAnswer)
	fmt.Fprintf(w, "              for other orders %d; waits that timed out %d\n", h.Unexpected, r.WebhookWaitsTimedOut)
	if s := r.Schedule; s != nil {
		fmt.Fprintf(w, "schedule      intended %d, started %d, late %d (max %.2f ms), not started %d\n", s.Intended, s.Started, s.Late, s.MaxLagMS, s.NotStarted)
		if s.FellBehind {
			fmt.Fprintln(w, "WARNING       the tool could not keep to the rate: every client was busy or it lacked CPU;")
			fmt.Fprintln(w, "              latencies include the lateness, but raise --clients or lower --rate for a clean run")
		}
	}
	fmt.Fprintf(w, "tool CPU      %.2fs user+sys (%.2f cores), %.3f ms per paid order\n", r.ToolCPU.Seconds, r.ToolCPU.Cores, r.ToolCPU.PerPaidOrderMS)
}
