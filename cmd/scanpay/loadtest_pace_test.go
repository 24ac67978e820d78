package main

import (
	"context"
	"slices"
	"testing"
	"time"
)

// fakeClock moves only when the loop sleeps or an iteration "works".
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time                           { return c.t }
func (c *fakeClock) Sleep(_ context.Context, d time.Duration) { c.t = c.t.Add(d) }

// paced runs one client over a 100 ms schedule whose iterations each take
// work, and returns each iteration's lag and the latency of its one step.
func paced(interval, work time.Duration) (lags, latencies []time.Duration, s schedule, p *pacer) {
	c := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	p = &pacer{start: c.t, end: c.t.Add(100 * time.Millisecond), interval: interval}
	s = loop(context.Background(), c, p, func(it iteration) {
		sent := c.Now()
		c.t = c.t.Add(work)
		lags = append(lags, it.lag)
		latencies = append(latencies, it.since(sent, c.Now()))
	})
	return lags, latencies, s, p
}

func millis(v ...int) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x) * time.Millisecond
	}
	return out
}

// TestOpenLoopTimesFromTheIntendedStart: one client, an iteration every
// 10 ms, each taking 25 ms. Iteration k is meant to start at 10k ms but
// starts at 25k ms; its latency is its 25 ms plus the 15k ms it waited,
// which a closed-loop tool would have hidden.
func TestOpenLoopTimesFromTheIntendedStart(t *testing.T) {
	lags, latencies, s, p := paced(10*time.Millisecond, 25*time.Millisecond)
	if want := millis(0, 15, 30, 45); !slices.Equal(lags, want) {
		t.Errorf("lags %v, want %v", lags, want)
	}
	if want := millis(25, 40, 55, 70); !slices.Equal(latencies, want) {
		t.Errorf("latencies %v, want %v", latencies, want)
	}
	if s.Started != 4 || s.Late != 3 || s.MaxLag != 45*time.Millisecond {
		t.Errorf("schedule %+v", s)
	}
	if p.intended() != 10 {
		t.Errorf("intended %d, want 10", p.intended())
	}
}

// TestOpenLoopWaitsForTheTimetable: a client quicker than the rate sleeps
// until each intended start and is never late.
func TestOpenLoopWaitsForTheTimetable(t *testing.T) {
	lags, latencies, s, _ := paced(10*time.Millisecond, 4*time.Millisecond)
	if len(lags) != 10 || s.Started != 10 || s.Late != 0 || s.MaxLag != 0 {
		t.Fatalf("lags %v, schedule %+v", lags, s)
	}
	for _, l := range latencies {
		if l != 4*time.Millisecond {
			t.Fatalf("latencies %v, want 4 ms each", latencies)
		}
	}
}

func TestClosedLoopRunsBackToBack(t *testing.T) {
	lags, latencies, s, p := paced(0, 30*time.Millisecond)
	if want := millis(0, 0, 0, 0); !slices.Equal(lags, want) {
		t.Errorf("lags %v, want %v (started at 0, 30, 60, 90 ms)", lags, want)
	}
	if want := millis(30, 30, 30, 30); !slices.Equal(latencies, want) {
		t.Errorf("latencies %v", latencies)
	}
	if s.Started != 4 || p.intended() != 0 {
		t.Errorf("schedule %+v, intended %d", s, p.intended())
	}
}

// TestOpenLoopCountsTimeBeforeTheFirstStep: a 7 ms top-up before a 1 ms
// step delays the step like a late start in open loop; in closed loop the
// step takes its 1 ms.
func TestOpenLoopCountsTimeBeforeTheFirstStep(t *testing.T) {
	for interval, want := range map[time.Duration]time.Duration{10 * time.Millisecond: 8 * time.Millisecond, 0: time.Millisecond} {
		c := &fakeClock{t: time.Now()}
		p := &pacer{start: c.t, end: c.t.Add(5 * time.Millisecond), interval: interval}
		var got []time.Duration
		loop(context.Background(), c, p, func(it iteration) {
			c.t = c.t.Add(7 * time.Millisecond)
			it.delay(7 * time.Millisecond)
			sent := c.Now()
			c.t = c.t.Add(time.Millisecond)
			got = append(got, it.since(sent, c.Now()))
		})
		if len(got) != 1 || got[0] != want {
			t.Errorf("interval %v: %v, want one step of %v", interval, got, want)
		}
	}
}

func TestLoopStopsWhenCanceled(t *testing.T) {
	c := &fakeClock{t: time.Now()}
	p := &pacer{start: c.t, end: c.t.Add(time.Hour)}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	loop(ctx, c, p, func(iteration) {
		if n++; n == 3 {
			cancel()
		}
		c.t = c.t.Add(time.Millisecond)
	})
	if n != 3 {
		t.Fatalf("%d iterations after the cancel at the third", n)
	}
}
