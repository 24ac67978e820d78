package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestHistogramBucketsTileTheRange(t *testing.T) {
	for i := range histBuckets {
		top := bucketTop(i)
		if got := bucketOf(top); got != i {
			t.Fatalf("bucketOf(bucketTop(%d) = %d) = %d", i, top, got)
		}
		if i+1 < histBuckets {
			if got := bucketOf(top + 1); got != i+1 {
				t.Fatalf("the value after bucket %d's top falls in %d", i, got)
			}
		}
	}
	if bucketTop(histBuckets-1) != math.MaxInt64 {
		t.Fatalf("the last bucket ends at %d", bucketTop(histBuckets-1))
	}
}

// TestHistogramPercentiles compares the histogram with the exact
// percentiles of sorted samples: never below, at most 1/128 above.
func TestHistogramPercentiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h histogram
	samples := make([]time.Duration, 100_000)
	for i := range samples {
		// Log-normal around 5 ms, the shape of request latencies.
		d := time.Duration(math.Exp(rng.NormFloat64()+math.Log(5e6))) + time.Duration(rng.IntN(300))
		samples[i] = d
		h.record(d)
	}
	slices.Sort(samples)
	for _, q := range []float64{0.001, 0.5, 0.9, 0.99, 0.999, 1} {
		exact := samples[int(math.Ceil(q*float64(len(samples))))-1]
		got := h.percentile(q)
		if got < exact || float64(got-exact) > float64(exact)/128+1 {
			t.Errorf("p%g = %v, exact %v", q*100, got, exact)
		}
	}
	if h.max != samples[len(samples)-1] || h.percentile(1) != h.max {
		t.Errorf("max %v, p100 %v, want %v", h.max, h.percentile(1), samples[len(samples)-1])
	}
}

func TestHistogramSmallCounts(t *testing.T) {
	var h histogram
	if h.percentile(0.5) != 0 {
		t.Fatal("an empty histogram has a median")
	}
	for _, d := range []time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond, -time.Second} {
		h.record(d)
	}
	// Sorted: 0 (the negative one), 1, 2, 3 ms.
	for q, want := range map[float64]time.Duration{0.25: 0, 0.5: time.Millisecond, 0.75: 2 * time.Millisecond, 0.99: 3 * time.Millisecond} {
		got := h.percentile(q)
		if got < want || float64(got-want) > float64(want)/128 {
			t.Errorf("p%g = %v, want %v", q*100, got, want)
		}
	}
	if h.percentile(1) != 3*time.Millisecond {
		t.Errorf("p100 %v is not the max", h.percentile(1))
	}
}

func TestHistogramMerge(t *testing.T) {
	var a, b, whole histogram
	for i := range 1000 {
		d := time.Duration(i) * time.Microsecond
		whole.record(d)
		if i%3 == 0 {
			a.record(d)
		} else {
			b.record(d)
		}
	}
	a.merge(&b)
	if a.n != whole.n || a.max != whole.max || a.counts != whole.counts {
		t.Fatalf("merged %d values, max %v; want %d, %v", a.n, a.max, whole.n, whole.max)
	}
}
