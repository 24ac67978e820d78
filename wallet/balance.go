package wallet

import (
	"context"

	"github.com/scanpay/scanpay/ledger"
)

// Balance is what a wallet holds in one currency, in minor units.
type Balance struct {
	Currency string `json:"currency"`
	Amount   int64  `json:"amount"`
}

// Balance returns the wallet's balance in every currency it has ever held,
// zero ones included, ordered by currency; a wallet never funded holds
// none. It returns a not-found error for an unknown wallet.
func (s *Service) Balance(ctx context.Context, walletID string) ([]Balance, error) {
	w, err := s.find(ctx, walletID)
	if err != nil {
		return nil, err
	}
	var out []Balance
	err = s.db.WithContext(ctx).Raw(`SELECT currency, balance AS amount FROM ledger_accounts
		WHERE owner = ? AND livemode = ? AND kind = ? ORDER BY currency`, walletID, w.Livemode, string(ledger.Wallet)).Scan(&out).Error
	return out, err
}
