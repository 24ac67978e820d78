package wallet

import (
	"context"

	"github.com/scanpay/scanpay/ledger"
)

// Balance returns the wallet's balance in every currency it has ever held,
// zero ones included, ordered by currency; a wallet never funded holds
// none. It returns a not-found error for an unknown wallet.
func (s *Service) Balance(ctx context.Context, walletID string) ([]ledger.CurrencyBalance, error) {
	w, err := s.find(ctx, walletID)
	if err != nil {
		return nil, err
	}
	return ledger.OwnerBalances(ctx, s.db, walletID, ledger.Wallet, w.Livemode)
}
