package settlement

import (
	"context"
	"strings"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// Bank account statuses: new until a payout to it is paid (verified), and
// errored once one fails: it then receives no automatic payout.
const (
	AccountNew      = "new"
	AccountVerified = "verified"
	AccountErrored  = "errored"
)

// Account numbers are digits only, of a length every bank's fits in.
const (
	minAccountNumber = 8
	maxAccountNumber = 20
	maxAccountHolder = 100
)

// BankAccount is where a merchant's payouts in one currency go. The
// number is never shown again, only its last four digits.
type BankAccount struct {
	ID            string    `json:"id"`
	Object        string    `json:"object"`
	Livemode      bool      `json:"livemode"`
	AccountHolder string    `json:"account_holder"`
	Currency      string    `json:"currency"`
	Last4         string    `json:"last4"`
	Status        string    `json:"status"`
	CreatedAt     time.Time `json:"created_at"`
}

// BankAccountParams add a bank account.
type BankAccountParams struct {
	AccountHolder string `json:"account_holder"`
	AccountNumber string `json:"account_number"`
	Currency      string `json:"currency"`
}

// bankAccountRow keeps the number sealed to the row's id (seal.Box), so a
// database dump holds no account number and a sealed number copied onto
// another account does not open.
type bankAccountRow struct {
	ID            string
	MerchantID    string
	Livemode      bool
	Currency      string
	AccountHolder string
	NumberSealed  string
	Last4         string `gorm:"column:last4"`
	Status        string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (bankAccountRow) TableName() string { return "bank_accounts" }

func (r bankAccountRow) toBankAccount() BankAccount {
	return BankAccount{ID: r.ID, Object: "bank_account", Livemode: r.Livemode, AccountHolder: r.AccountHolder,
		Currency: r.Currency, Last4: r.Last4, Status: r.Status, CreatedAt: r.CreatedAt}
}

// number opens the row's sealed account number.
func (s *Service) number(r bankAccountRow) (string, error) {
	plain, err := s.box.Open(r.ID, r.NumberSealed)
	if err != nil {
		return "", err
	}
	return string(plain), nil
}

// CreateBankAccount adds a bank account for the principal's payouts in
// one currency, in one transaction (storage.Transact). The newest account
// of a currency is where automatic payouts go, so adding one replaces an
// errored one. It returns a scanpay.KindInvalid error naming the field:
// account_holder missing or too long, account_number not 8 to 20 digits,
// currency unknown. The error never repeats the number.
func (s *Service) CreateBankAccount(ctx context.Context, p merchant.Principal, params BankAccountParams) (BankAccount, error) {
	holder := strings.TrimSpace(params.AccountHolder)
	switch {
	case holder == "":
		return BankAccount{}, scanpay.Missing("account_holder")
	case params.AccountNumber == "":
		return BankAccount{}, scanpay.Missing("account_number")
	case !scanpay.IsDigits(params.AccountNumber) || len(params.AccountNumber) < minAccountNumber || len(params.AccountNumber) > maxAccountNumber:
		return BankAccount{}, scanpay.Invalid("account_number", "account_number must be %d to %d digits, with no spaces or other characters", minAccountNumber, maxAccountNumber)
	}
	if err := scanpay.CheckText("account_holder", holder, maxAccountHolder); err != nil {
		return BankAccount{}, err
	}
	if err := checkCurrency(params.Currency); err != nil {
		return BankAccount{}, err
	}
	now := s.now()
	row := bankAccountRow{ID: scanpay.NewID("ba"), MerchantID: p.MerchantID, Livemode: p.Livemode, Currency: params.Currency,
		AccountHolder: holder, Last4: params.AccountNumber[len(params.AccountNumber)-4:], Status: AccountNew, CreatedAt: now, UpdatedAt: now}
	row.NumberSealed = s.box.Seal(row.ID, []byte(params.AccountNumber))
	return storage.Transact(ctx, s.db, func(tx *gorm.DB) (BankAccount, error) {
		if err := storage.DeferInsert(tx, &row, nil); err != nil {
			return BankAccount{}, err
		}
		return row.toBankAccount(), nil
	})
}

// checkCurrency accepts an ISO 4217 code the gateway knows, in upper case.
func checkCurrency(code string) error {
	if code == "" {
		return scanpay.Missing("currency")
	}
	if _, ok := scanpay.LookupCurrency(code); !ok {
		return scanpay.Invalid("currency", "currency %q is not an ISO 4217 code the gateway supports, in upper case (CNY, USD, ...)", code)
	}
	return nil
}

// newestBankAccount is the group's most recently added bank account, and
// false when it has none.
func newestBankAccount(tx *gorm.DB, g group, usable bool) (bankAccountRow, bool, error) {
	q := tx.Where("merchant_id = ? AND livemode = ? AND currency = ?", g.MerchantID, g.Livemode, g.Currency)
	if usable {
		q = q.Where("status <> ?", AccountErrored)
	}
	var rows []bankAccountRow
	if err := q.Order("id DESC").Limit(1).Find(&rows).Error; err != nil {
		return bankAccountRow{}, false, err
	}
	if len(rows) == 0 {
		return bankAccountRow{}, false, nil
	}
	return rows[0], true, nil
}

// GetBankAccount returns one of the principal's bank accounts, or a
// not-found error.
func (s *Service) GetBankAccount(ctx context.Context, p merchant.Principal, id string) (BankAccount, error) {
	row, err := merchant.Find[bankAccountRow](ctx, s.db, p, "bank account", id)
	if err != nil {
		return BankAccount{}, err
	}
	return row.toBankAccount(), nil
}

// ListBankAccounts returns the principal's bank accounts, newest first,
// and whether more follow.
func (s *Service) ListBankAccounts(ctx context.Context, p merchant.Principal, limit int, startingAfter string) ([]BankAccount, bool, error) {
	q := s.db.WithContext(ctx).Where("merchant_id = ? AND livemode = ?", p.MerchantID, p.Livemode)
	rows, more, err := storage.Page[bankAccountRow](q, limit, startingAfter)
	if err != nil {
		return nil, false, err
	}
	out := make([]BankAccount, len(rows))
	for i, r := range rows {
		out[i] = r.toBankAccount()
	}
	return out, more, nil
}
