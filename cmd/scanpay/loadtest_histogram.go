package main

import (
	"math"
	"math/bits"
	"time"
)

// histSubBits sets the histogram's precision: values below 2^histSubBits
// nanoseconds are counted exactly, and every power of two above is split
// into 2^(histSubBits-1) equal buckets.
const (
	histSubBits = 8
	histHalf    = 1 << (histSubBits - 1)
	histBuckets = (64 - histSubBits + 1) * histHalf
)

// histogram counts durations in log-linear buckets, as HDR histograms do: a
// percentile read from it is never below the true one and at most 1/128
// (0.8 %) above it, whatever the range, and recording a value costs an
// array increment, with no allocation and no sorting. Each load client
// owns its own, merged at the end, so recording takes no lock.
type histogram struct {
	counts [histBuckets]int64
	n      int64
	max    time.Duration
}

func bucketOf(v int64) int {
	if v < 1<<histSubBits {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - histSubBits
	return shift*histHalf + int(v>>shift)
}

// bucketTop is the largest value that falls into bucket i.
func bucketTop(i int) int64 {
	if i < 1<<histSubBits {
		return int64(i)
	}
	shift := i/histHalf - 1
	m := int64(i%histHalf + histHalf)
	return (m+1)<<shift - 1
}

// record counts d; a negative d counts as zero.
func (h *histogram) record(d time.Duration) {
	d = max(d, 0)
	h.counts[bucketOf(int64(d))]++
	h.n++
	h.max = max(h.max, d)
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// percentile returns the value at or below which the fraction q (0 < q <= 1)
// of the recorded values fall, rounded up to the top of its bucket but
// never past the largest value recorded; 0 when nothing was recorded.
func (h *histogram) percentile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := max(int64(math.Ceil(q*float64(h.n))), 1)
	var seen int64
	for i, c := range h.counts {
		if seen += c; seen >= rank {
			return min(time.Duration(bucketTop(i)), h.max)
		}
	}
	return h.max
}
