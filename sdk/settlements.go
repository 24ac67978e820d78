package sdk

import (
	"context"
	"io"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// Settlement makes one business day's takings of the merchant in one
// currency available. Amounts are in the currency's minor unit: Gross is
// the day's payments; Refunds, Discounts (platform-funded coupons),
// Cashback (merchant-funded) and Adjustments the other lines' gross; Fees
// every line's fee; and Net = Gross + Refunds + Discounts + Cashback +
// Adjustments - Fees is what moved from pending to available (back, when
// Negative).
type Settlement struct {
	ID       string `json:"id"`
	Object   string `json:"object"`
	Livemode bool   `json:"livemode"`
	// Date is the business day settled (YYYY-MM-DD) in Timezone, and
	// AvailableOn the day its money became available.
	Date        string `json:"date"`
	Timezone    string `json:"timezone"`
	AvailableOn string `json:"available_on"`
	Currency    string `json:"currency"`
	// Count is the number of its balance transactions (list them with
	// BalanceTransactionListParams.Settlement).
	Count       int64            `json:"count"`
	Gross       int64            `json:"gross"`
	Fees        int64            `json:"fees"`
	Refunds     int64            `json:"refunds"`
	Discounts   int64            `json:"discounts"`
	Cashback    int64            `json:"cashback"`
	Adjustments int64            `json:"adjustments"`
	Net         int64            `json:"net"`
	Negative    bool             `json:"negative"`
	Report      SettlementReport `json:"report"`
	CreatedAt   time.Time        `json:"created_at"`
}

// SettlementReport says how to fetch a settlement's reconciliation report
// (SettlementService.Report) and prove it is the one the gateway made
// (VerifyReport): the SHA-256 of its bytes in hex, and their Ed25519
// signature in base64 by the signing key KeyID names.
type SettlementReport struct {
	SHA256    string `json:"sha256"`
	Signature string `json:"signature"`
	KeyID     string `json:"key_id"`
	URL       string `json:"url"`
}

// SettlementService calls /v1/settlements.
type SettlementService struct{ c *Client }

// Get returns a settlement; an unknown id matches ErrResourceMissing.
func (s *SettlementService) Get(ctx context.Context, id string) (*Settlement, error) {
	return fetch[Settlement](ctx, s.c, request{method: http.MethodGet, path: "/v1/settlements/" + url.PathEscape(id)})
}

// List walks the merchant's settlements, newest first.
func (s *SettlementService) List(ctx context.Context, params *ListParams) iter.Seq2[*Settlement, error] {
	if params == nil {
		params = &ListParams{}
	}
	return list(ctx, s.c, "/v1/settlements", nil, *params, func(st *Settlement) string { return st.ID })
}

// Report returns the settlement's reconciliation report: a UTF-8 CSV, one
// line per balance transaction and a totals line, amounts in minor units.
// Its bytes are exactly the ones signed, so keep them as they are to
// verify them (VerifyReport). The caller closes it. An unknown id matches
// ErrResourceMissing.
func (s *SettlementService) Report(ctx context.Context, id string) (io.ReadCloser, error) {
	return s.c.download(ctx, "/v1/settlements/"+url.PathEscape(id)+"/report.csv", nil)
}
