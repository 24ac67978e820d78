package merchant

import (
	"math"
	"testing"
)

func TestFee(t *testing.T) {
	for _, tt := range []struct {
		bps    int
		amount int64
		want   int64
	}{
		{60, 10000, 60},
		{60, 1250, 8}, // 7.5 rounds half up
		{60, 1249, 7}, // 7.494
		{60, 83, 0},   // 0.498
		{60, 84, 1},   // 0.504
		{60, 1, 0},
		{0, 10000, 0},
		{10000, 1234, 1234},
		{60, math.MaxInt64, 55340232221128655}, // 0.6% of MaxInt64, rounded half up, without overflow
	} {
		if got := Fee(tt.bps, tt.amount); got != tt.want {
			t.Errorf("Fee(%d bps, %d) = %d, want %d", tt.bps, tt.amount, got, tt.want)
		}
	}
}

func TestFeeShareAddsUpToTheWholeFee(t *testing.T) {
	for _, tt := range []struct {
		fee, amount int64
		parts       []int64
	}{
		{1, 3, []int64{1, 1, 1}},
		{1, 2, []int64{1, 1}},
		{60, 10000, []int64{2000, 2000, 2000, 2000, 2000}},
		{8, 1250, []int64{1, 1, 1248}},
		{7, 999, []int64{333, 333, 333}},
		{55340232221128655, math.MaxInt64, []int64{math.MaxInt64 / 2, math.MaxInt64 - math.MaxInt64/2}},
	} {
		var done, total int64
		for _, p := range tt.parts {
			share := FeeShare(tt.fee, done+p, tt.amount) - FeeShare(tt.fee, done, tt.amount)
			if share < 0 {
				t.Fatalf("negative share %d", share)
			}
			total += share
			done += p
		}
		if total != tt.fee {
			t.Errorf("fee %d of %d in parts %v: shares add to %d", tt.fee, tt.amount, tt.parts, total)
		}
	}
	if got := FeeShare(60, 5000, 10000); got != 30 {
		t.Errorf("half of 60 = %d", got)
	}
	if got := FeeShare(1, 1, 2); got != 1 {
		t.Errorf("half of 1 rounds half up to 1, got %d", got)
	}
}
