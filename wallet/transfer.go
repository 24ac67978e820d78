package wallet

import (
	"context"
	"fmt"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// Transfer is money moved between a wallet and its linked bank account.
// Object is "topup" or "withdrawal". Only transfers that happened exist,
// so Status is always "succeeded" for now.
type Transfer struct {
	ID        string    `json:"id"`
	Object    string    `json:"object"`
	Livemode  bool      `json:"livemode"`
	Amount    int64     `json:"amount"`
	Currency  string    `json:"currency"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// Transfer kinds; each is also the kind of its ledger transaction.
const (
	kindTopUp      = "topup"
	kindWithdrawal = "withdrawal"
)

type transferRow struct {
	ID        string
	WalletID  string
	Livemode  bool
	Kind      string
	Amount    int64
	Currency  string
	Status    string
	CreatedAt time.Time
}

func (transferRow) TableName() string { return "wallet_transfers" }

func (r transferRow) toTransfer() Transfer {
	return Transfer{ID: r.ID, Object: r.Kind, Livemode: r.Livemode, Amount: r.Amount, Currency: r.Currency,
		Status: r.Status, CreatedAt: r.CreatedAt}
}

// TopUp moves amount from the linked bank account into the wallet. A
// frozen wallet may still be topped up. It returns an invalid-parameter
// error, a not-found error or ErrBankDeclined, and on any error nothing
// has moved.
func (s *Service) TopUp(ctx context.Context, walletID string, amount int64, currency string) (Transfer, error) {
	return s.transfer(ctx, walletID, kindTopUp, amount, currency)
}

// Withdraw moves amount from the wallet back to the linked bank account.
// It returns an invalid-parameter error, a not-found error,
// ErrWalletFrozen, ledger.ErrInsufficientFunds or ErrBankDeclined, and on
// any error nothing has moved.
func (s *Service) Withdraw(ctx context.Context, walletID string, amount int64, currency string) (Transfer, error) {
	return s.transfer(ctx, walletID, kindWithdrawal, amount, currency)
}

// transfer records the transfer, posts it and asks the bank, all in one
// transaction, so a refusal by the bank or the ledger rolls back the rest.
// The bank is asked last: a payout is never sent for money the ledger
// would not release.
//
// Waiting on the bank inside the transaction is right only for the
// in-process SimulatedBank. A real bank answers slowly and sometimes
// later, by callback: it would need the transfer committed as pending
// first (a withdrawal's money moved to a holding account at once), the
// bank called after commit with the transfer id as its idempotency key,
// and a second transaction that settles or reverses the transfer on the
// bank's answer.
func (s *Service) transfer(ctx context.Context, walletID, kind string, amount int64, currency string) (Transfer, error) {
	if err := s.checkTransfer(amount, currency); err != nil {
		return Transfer{}, err
	}
	w, err := s.find(ctx, walletID)
	if err != nil {
		return Transfer{}, err
	}
	row := transferRow{ID: scanpay.NewID("tr"), WalletID: walletID, Livemode: w.Livemode, Kind: kind,
		Amount: amount, Currency: currency, Status: "succeeded"}
	bank, wallet := ledger.BankClearingAccount(currency, w.Livemode), ledger.WalletAccount(walletID, currency, w.Livemode)
	from, to, move := bank, wallet, s.cfg.Bank.Charge
	if kind == kindWithdrawal {
		from, to, move = wallet, bank, s.cfg.Bank.Payout
	}
	return storage.Transact(ctx, s.db, func(tx *gorm.DB) (Transfer, error) {
		row.CreatedAt = s.now()
		if kind == kindWithdrawal {
			if err := s.CheckNotFrozen(tx, walletID); err != nil {
				return Transfer{}, err
			}
		}
		if err := storage.DeferInsert(tx, &row, nil); err != nil {
			return Transfer{}, err
		}
		posting := ledger.Transaction{Kind: kind, Reference: row.ID, CreatedAt: row.CreatedAt}
		posting.Move(from, to, amount)
		err := ledger.Post(tx, posting)
		if err == nil {
			err = storage.Flush(tx) // the bank moves money only once the ledger has
		}
		if err != nil {
			return Transfer{}, err
		}
		if err := move(ctx, walletID, amount, currency, row.ID); err != nil {
			if _, ok := scanpay.ErrorOf(err); ok {
				return Transfer{}, err
			}
			return Transfer{}, fmt.Errorf("wallet: %s %s: bank: %w", kind, row.ID, err)
		}
		return row.toTransfer(), nil
	})
}

func (s *Service) checkTransfer(amount int64, currency string) error {
	switch {
	case amount <= 0:
		return scanpay.Invalid("amount", "amount must be a positive integer in the currency's minor unit")
	case amount > s.cfg.MaxTransfer:
		return scanpay.Invalid("amount", "amount is above %d, the largest single transfer", s.cfg.MaxTransfer)
	case currency == "":
		return scanpay.Missing("currency")
	}
	if _, ok := scanpay.LookupCurrency(currency); !ok {
		return scanpay.Invalid("currency", "currency must be a supported ISO 4217 code in upper case, like CNY")
	}
	return nil
}
