package settlement_test

import (
	"testing"
	"time"
)

// BenchmarkSettleADay settles one business day of 500 sales: the lines
// made available, the report built and signed, the posting, the event,
// all in one transaction. The sales are made with the timer stopped.
func BenchmarkSettleADay(b *testing.B) {
	e := newEnv(b)
	m := e.merchant("Blue Bottle")
	w, _ := e.payer(5_000_000, "CNY")
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	lines := 0
	for b.Loop() {
		b.StopTimer()
		d := day.Format("2006-01-02")
		for i := range 500 {
			e.at(d, 8, i%60)
			e.sale(m, w, 100, "CNY", "")
		}
		day = day.AddDate(0, 0, 1)
		b.StartTimer()
		made, err := e.settlement.SettleDue(e.ctx, day)
		if err != nil || len(made) != 1 {
			b.Fatalf("%+v %v", made, err)
		}
		lines += int(made[0].Count)
	}
	b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
}
