package main

import (
	"context"
	"sync/atomic"
	"time"
)

// lateStart is how late an iteration may start before the open-loop
// report counts it as late: more than timer slack, less than any request.
const lateStart = time.Millisecond

// clock is the time as the load loop sees it; tests drive a fake one.
type clock interface {
	Now() time.Time
	// Sleep waits d or until ctx ends.
	Sleep(ctx context.Context, d time.Duration)
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) Sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// pacer decides when iterations start. Closed loop (interval 0): each
// client starts its next iteration as soon as its last one ends. Open loop:
// iteration k is meant to start at start + k×interval, whichever client
// takes it, so the rate does not drop when the gateway slows down; a
// client that is free early waits, and one that is late starts at once.
// Either way no iteration starts at or after end.
type pacer struct {
	start, end time.Time
	interval   time.Duration
	next       atomic.Int64
}

// take returns the intended start of the next iteration, given the time
// now, and false when the run is over.
func (p *pacer) take(now time.Time) (time.Time, bool) {
	if !now.Before(p.end) {
		return time.Time{}, false
	}
	if p.interval == 0 {
		return now, true
	}
	intended := p.start.Add(time.Duration(p.next.Add(1)-1) * p.interval)
	return intended, intended.Before(p.end)
}

// intended is how many iterations the open loop meant to start.
func (p *pacer) intended() int64 {
	if p.interval == 0 {
		return 0
	}
	return int64((p.end.Sub(p.start) + p.interval - 1) / p.interval)
}

// iteration is one create → pay → webhook cycle as it was timed: lag is
// how late it started against its intended time (zero in closed loop).
// Latencies measured from it are measured from the intended start: each
// step's time plus the lag, so a stall that delays the next iterations
// shows in their latencies instead of vanishing into a lower rate (the
// "coordinated omission" of closed-loop tools).
type iteration struct {
	lag  time.Duration
	open bool
}

// delay accounts for time the iteration spent before its first step (a
// wallet top-up): in open loop it postpones the steps as a late start does.
func (it *iteration) delay(d time.Duration) {
	if it.open {
		it.lag += d
	}
}

// since is the latency of a step that began at sent and ended at done.
func (it iteration) since(sent, done time.Time) time.Duration {
	return done.Sub(sent) + it.lag
}

// schedule is how well the open loop kept to its timetable.
type schedule struct {
	Started int64         // iterations started
	Late    int64         // of which later than lateStart
	MaxLag  time.Duration // the latest start
}

// loop runs iterations on one client until the pacer says the run is over
// or ctx ends, and returns how it kept to the schedule.
func loop(ctx context.Context, c clock, p *pacer, run func(iteration)) schedule {
	var s schedule
	for ctx.Err() == nil {
		now := c.Now()
		intended, ok := p.take(now)
		if !ok {
			break
		}
		if wait := intended.Sub(now); wait > 0 {
			c.Sleep(ctx, wait)
			if ctx.Err() != nil {
				break
			}
			now = c.Now()
		}
		lag := max(now.Sub(intended), 0)
		s.Started++
		if lag > lateStart {
			s.Late++
		}
		s.MaxLag = max(s.MaxLag, lag)
		run(iteration{lag: lag, open: p.interval > 0})
	}
	return s
}
