package gateway

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"gorm.io/gorm"
)

// Metrics are what an operator scrapes (Prometheus, /metrics): requests
// by route and status with their latency, payments and refunds by
// outcome, webhook deliveries by outcome, how late the outbox runs, the
// database pool, and the background jobs. Each gateway process has its
// own; a scraper sums them.
type Metrics struct {
	registry   *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	outcomes   *prometheus.CounterVec
	deliveries *prometheus.CounterVec
	jobRuns    *prometheus.CounterVec
	jobItems   *prometheus.CounterVec
}

// errorCodeKey carries the error code of a failed request to the metrics.
const errorCodeKey = "error_code"

// NewMetrics registers the collectors; the outbox lag and the pool are
// read from db when scraped.
func NewMetrics(db *gorm.DB, now func() time.Time) (*Metrics, error) {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "scanpay_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status."}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "scanpay_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}}, []string{"route", "method"}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "scanpay_money_movements_total",
			Help: "Payments and refunds asked for, by kind and outcome: succeeded, or the error code."}, []string{"kind", "outcome"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "scanpay_webhook_attempts_total",
			Help: "Webhook delivery attempts, by outcome: delivered, or failed (to be retried or given up)."}, []string{"outcome"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "scanpay_job_runs_total",
			Help: "Runs of the background jobs (expiry, cashback release, settlement, payouts...), by job and outcome."}, []string{"job", "outcome"}),
		jobItems: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "scanpay_job_items_total",
			Help: "What the background jobs did: orders expired, cashback credited, settlements made..."}, []string{"job"}),
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	lag := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "scanpay_outbox_lag_seconds",
		Help: "How long the oldest webhook delivery that is due has waited; 0 when none is."}, func() float64 {
		return outboxLag(db, now())
	})
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.outcomes, m.deliveries, m.jobRuns, m.jobItems, lag,
		collectors.NewDBStatsCollector(sqlDB, "scanpay"), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := m.registry.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// outboxLag is how long the oldest due delivery has waited, in seconds.
func outboxLag(db *gorm.DB, now time.Time) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	// Not MIN(): SQLite hands an aggregate back as text.
	var oldest []time.Time
	err := db.WithContext(ctx).Raw(`SELECT next_attempt_at FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
	ORDER BY next_attempt_at LIMIT 1`, now).Scan(&oldest).Error
	if err != nil || len(oldest) == 0 {
		return 0
	}
	return now.Sub(oldest[0]).Seconds()
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// JobRan counts a run of a background job that did n things.
func (m *Metrics) JobRan(job string, n int, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.jobRuns.WithLabelValues(job, outcome).Inc()
	m.jobItems.WithLabelValues(job).Add(float64(n))
}

// DeliveryAttempted counts one webhook delivery attempt.
func (m *Metrics) DeliveryAttempted(delivered bool) {
	outcome := "failed"
	if delivered {
		outcome = "delivered"
	}
	m.deliveries.WithLabelValues(outcome).Inc()
}

// observe counts every request by its route's pattern, so that ids in
// paths do not make a series each.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	s.metrics.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Inc()
	s.metrics.latency.WithLabelValues(route, c.Request.Method).Observe(time.Since(start).Seconds())
}

// countOutcome counts a money movement route's answers: succeeded, or the
// error code it failed with.
func (s *Server) countOutcome(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if s.metrics == nil {
			return
		}
		outcome := "succeeded"
		if c.Writer.Status() >= 300 {
			outcome = c.GetString(errorCodeKey)
		}
		s.metrics.outcomes.WithLabelValues(kind, outcome).Inc()
	}
}
