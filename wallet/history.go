package wallet

import (
	"context"
	"time"

	"github.com/scanpay/scanpay/ledger"
)

// Transaction is one line of a wallet's history: Amount is positive for
// money in (a top-up, a refund) and negative for money out (a payment, a
// withdrawal); Reference is the transfer, payment or refund behind it.
type Transaction struct {
	ID        string    `json:"id"`
	Object    string    `json:"object"`
	Type      string    `json:"type"`
	Amount    int64     `json:"amount"`
	Currency  string    `json:"currency"`
	Reference string    `json:"reference"`
	CreatedAt time.Time `json:"created_at"`
}

// History returns up to limit (at least 1) of the wallet's transactions in
// every currency, newest first, and whether older ones remain;
// startingAfter is the last id of the previous page. It returns a
// not-found error for an unknown wallet.
func (s *Service) History(ctx context.Context, walletID string, limit int, startingAfter string) ([]Transaction, bool, error) {
	w, err := s.find(ctx, walletID)
	if err != nil {
		return nil, false, err
	}
	entries, hasMore, err := ledger.OwnerEntries(ctx, s.db, walletID, w.Livemode, limit, startingAfter)
	if err != nil {
		return nil, false, err
	}
	out := make([]Transaction, len(entries))
	for i, e := range entries {
		out[i] = Transaction{ID: e.ID, Object: "wallet_transaction", Type: e.Kind, Amount: e.Amount, Currency: e.Currency,
			Reference: e.Reference, CreatedAt: e.CreatedAt}
	}
	return out, hasMore, nil
}
