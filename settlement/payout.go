package settlement

import (
	"context"
	"errors"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/webhooks"
	"gorm.io/gorm"
)

// Payout statuses: pending until the bank accepts it, in_transit until it
// arrives, then paid, or failed when the bank refuses it or returns it.
const (
	PayoutPending   = "pending"
	PayoutInTransit = "in_transit"
	PayoutPaid      = "paid"
	PayoutFailed    = "failed"
)

// Payout errors.
var (
	ErrPayoutExceedsAvailable = &scanpay.Error{Kind: scanpay.KindInvalid, Code: "balance_insufficient", Param: "amount",
		Message: "the amount is more than the available balance"}
	ErrNoBankAccount = &scanpay.Error{Kind: scanpay.KindInvalid, Code: "bank_account_missing", Param: "bank_account",
		Message: "no usable bank account in this currency: add one with POST /v1/bank_accounts"}
	ErrBankAccountErrored = &scanpay.Error{Kind: scanpay.KindConflict, Code: "bank_account_errored", Param: "bank_account",
		Message: "a payout to this bank account failed; add a new one with POST /v1/bank_accounts"}
)

// Payout moves a merchant's available money to its bank account.
// Automatic ones are the daily payout of everything available, made on
// Date (a business day); FailureCode and FailureMessage say why a failed
// one failed, as the bank said it.
type Payout struct {
	ID             string     `json:"id"`
	Object         string     `json:"object"`
	Livemode       bool       `json:"livemode"`
	Amount         int64      `json:"amount"`
	Currency       string     `json:"currency"`
	BankAccount    string     `json:"bank_account"`
	Status         string     `json:"status"`
	Automatic      bool       `json:"automatic"`
	Date           *string    `json:"date"`
	FailureCode    *string    `json:"failure_code"`
	FailureMessage *string    `json:"failure_message"`
	SubmittedAt    *time.Time `json:"submitted_at"`
	PaidAt         *time.Time `json:"paid_at"`
	FailedAt       *time.Time `json:"failed_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

// PayoutParams ask for a manual payout. BankAccount defaults to the
// newest usable bank account of the currency.
type PayoutParams struct {
	Amount      *int64  `json:"amount"`
	Currency    string  `json:"currency"`
	BankAccount *string `json:"bank_account"`
}

type payoutRow struct {
	ID             string
	MerchantID     string
	Livemode       bool
	Currency       string
	Amount         int64
	BankAccountID  string
	Status         string
	AutomaticDate  *string
	FailureCode    *string
	FailureMessage *string
	SubmittedAt    *time.Time
	PaidAt         *time.Time
	FailedAt       *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (payoutRow) TableName() string { return "payouts" }

func (r payoutRow) toPayout() Payout {
	return Payout{ID: r.ID, Object: "payout", Livemode: r.Livemode, Amount: r.Amount, Currency: r.Currency,
		BankAccount: r.BankAccountID, Status: r.Status, Automatic: r.AutomaticDate != nil, Date: r.AutomaticDate,
		FailureCode: r.FailureCode, FailureMessage: r.FailureMessage, SubmittedAt: r.SubmittedAt, PaidAt: r.PaidAt,
		FailedAt: r.FailedAt, CreatedAt: r.CreatedAt}
}

func (r payoutRow) group() group {
	return group{MerchantID: r.MerchantID, Livemode: r.Livemode, Currency: r.Currency}
}

// CreatePayout pays out amount of the principal's available money, in one
// transaction: the payout row, the ledger posting that moves the amount
// from available to in transit (a payout balance transaction of minus the
// amount on the available balance) and payout.created. The bank job sends
// it on. It returns a scanpay.KindInvalid error naming the field (amount
// not positive, currency unknown, bank_account of another currency),
// ErrPayoutExceedsAvailable when the amount is more than can be paid out
// (see payable), ErrNoBankAccount, ErrBankAccountErrored, or a not-found
// error for a bank account that is not the principal's; on any error
// nothing has moved.
func (s *Service) CreatePayout(ctx context.Context, p merchant.Principal, params PayoutParams) (Payout, error) {
	switch {
	case params.Amount == nil:
		return Payout{}, scanpay.Missing("amount")
	case *params.Amount <= 0:
		return Payout{}, scanpay.Invalid("amount", "amount must be a positive integer in the currency's minor unit")
	case params.BankAccount != nil && *params.BankAccount == "":
		return Payout{}, scanpay.Invalid("bank_account", "bank_account must be a bank account id, or left out")
	}
	if err := checkCurrency(params.Currency); err != nil {
		return Payout{}, err
	}
	m, err := s.merchants.Get(ctx, p.MerchantID)
	if err != nil {
		return Payout{}, err
	}
	g := group{MerchantID: p.MerchantID, Livemode: p.Livemode, Currency: params.Currency}
	amount := *params.Amount
	payout, err := storage.Transact(ctx, s.db, func(tx *gorm.DB) (Payout, error) {
		account, err := s.payoutAccount(ctx, tx, p, g, params.BankAccount)
		if err != nil {
			return Payout{}, err
		}
		payable, available, err := payable(tx, g)
		if err != nil {
			return Payout{}, err
		}
		if amount > payable {
			e := ErrPayoutExceedsAvailable.WithMessage("the payout of %d %s is more than the %d available", amount, g.Currency, available)
			if payable < available {
				e = e.WithMessage("the payout of %d %s is more than the %d that can be paid out: %d available, less %d held against refunds not yet settled",
					amount, g.Currency, payable, available, available-payable)
			}
			return Payout{}, e
		}
		row := s.newPayout(g, amount, account.ID, s.now())
		if err := storage.DeferInsert(tx, &row, nil); err != nil {
			return Payout{}, err
		}
		return s.payOut(tx, row, m.Location())
	})
	if errors.Is(err, ledger.ErrInsufficientFunds) { // the CHECK behind the reading above
		return Payout{}, ErrPayoutExceedsAvailable
	}
	if err != nil {
		return Payout{}, err
	}
	s.wake()
	return payout, nil
}

// payoutAccount is the bank account a manual payout goes to: the one
// named, which must be the principal's, of the payout's currency and not
// errored, or the newest usable one.
func (s *Service) payoutAccount(ctx context.Context, tx *gorm.DB, p merchant.Principal, g group, id *string) (bankAccountRow, error) {
	if id == nil {
		account, ok, err := newestBankAccount(tx, g, true)
		if err != nil {
			return account, err
		}
		if !ok {
			return account, ErrNoBankAccount.WithMessage("no usable bank account in %s: add one with POST /v1/bank_accounts", g.Currency)
		}
		return account, nil
	}
	account, err := merchant.Find[bankAccountRow](ctx, tx, p, "bank account", *id)
	if err != nil {
		if e, ok := scanpay.ErrorOf(err); ok {
			return account, e.WithParam("bank_account")
		}
		return account, err
	}
	if account.Currency != g.Currency {
		return account, scanpay.Invalid("bank_account", "bank account %s takes %s, not %s", account.ID, account.Currency, g.Currency)
	}
	if account.Status == AccountErrored {
		return account, ErrBankAccountErrored
	}
	return account, nil
}

// payable is how much of the group's available money can be paid out
// now, with its pending and available balances locked until the
// transaction ends. It is the available balance, less what refunds not yet
// settled may take back: days settle in order, and a day whose refunds
// outweigh its takings moves its net back out of available, so the
// lowest running total of the pending balance transactions, in the order
// they settle, is held back when it is below zero. Settlements and refunds
// keep available + that lowest total from going below zero; a payout
// capped here keeps it so too, so a negative day can always settle.
func payable(tx *gorm.DB, g group) (payable, available int64, err error) {
	if _, available, err = lockBalances(tx, g); err != nil {
		return 0, 0, err
	}
	var lowest []int64
	err = tx.Raw(`SELECT CAST(COALESCE(MIN(running), 0) AS BIGINT) FROM (
	SELECT SUM(net) OVER (ORDER BY created_at, id) AS running FROM balance_transactions
	WHERE merchant_id = ? AND livemode = ? AND currency = ? AND status = ?) t`,
		g.MerchantID, g.Livemode, g.Currency, LinePending).Scan(&lowest).Error
	if err != nil {
		return 0, 0, err
	}
	if len(lowest) == 1 && lowest[0] < 0 {
		return available + lowest[0], available, nil
	}
	return available, available, nil
}

func (s *Service) newPayout(g group, amount int64, bankAccountID string, now time.Time) payoutRow {
	return payoutRow{ID: scanpay.NewID("po"), MerchantID: g.MerchantID, Livemode: g.Livemode, Currency: g.Currency,
		Amount: amount, BankAccountID: bankAccountID, Status: PayoutPending, CreatedAt: now, UpdatedAt: now}
}

// payOut moves a new payout's amount from available to in transit, with
// its balance transaction, and emits payout.created. An automatic payout's
// line is part of the payout (it nets the lines the payout carries); a
// manual one's is carried by the next automatic payout.
func (s *Service) payOut(tx *gorm.DB, row payoutRow, loc *time.Location) (Payout, error) {
	g := row.group()
	posting := ledger.Transaction{Kind: "payout", Reference: row.ID, CreatedAt: row.CreatedAt}
	posting.Move(g.available(), g.inTransit(), row.Amount)
	line := ledger.Line{Account: g.available(), Type: ledger.LinePayout, Source: row.ID, Gross: -row.Amount,
		AvailableOn: formatDay(dayOf(row.CreatedAt, loc))}
	if row.AutomaticDate != nil {
		line.Payout = row.ID
	}
	posting.Line(line)
	if err := ledger.Post(tx, posting); err != nil {
		return Payout{}, err
	}
	payout := row.toPayout()
	_, err := webhooks.Emit(tx, webhooks.Event{Type: webhooks.PayoutCreated, MerchantID: row.MerchantID,
		Livemode: row.Livemode, Object: payout, CreatedAt: row.CreatedAt})
	return payout, err
}

// GetPayout returns one of the principal's payouts, or a not-found error.
func (s *Service) GetPayout(ctx context.Context, p merchant.Principal, id string) (Payout, error) {
	row, err := merchant.Find[payoutRow](ctx, s.db, p, "payout", id)
	if err != nil {
		return Payout{}, err
	}
	return row.toPayout(), nil
}

// ListPayouts returns the principal's payouts, newest first, and whether
// more follow.
func (s *Service) ListPayouts(ctx context.Context, p merchant.Principal, limit int, startingAfter string) ([]Payout, bool, error) {
	q := s.db.WithContext(ctx).Where("merchant_id = ? AND livemode = ?", p.MerchantID, p.Livemode)
	rows, more, err := storage.Page[payoutRow](q, limit, startingAfter)
	if err != nil {
		return nil, false, err
	}
	out := make([]Payout, len(rows))
	for i, r := range rows {
		out[i] = r.toPayout()
	}
	return out, more, nil
}
