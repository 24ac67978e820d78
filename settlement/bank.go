package settlement

import (
	"context"
	"time"
)

// Transfer is a payout as the bank sees it.
type Transfer struct {
	// Reference is the payout's id: the bank's idempotency key, so a
	// transfer handed over twice (two gateways, a retry) is made once.
	Reference     string
	AccountNumber string
	Amount        int64
	Currency      string
	// SubmittedAt is when the bank accepted it; zero before.
	SubmittedAt time.Time
}

// Where a transfer is, as Bank.Track reports it.
const (
	TransferInTransit = "in_transit"
	TransferPaid      = "paid"
	TransferFailed    = "failed"
)

// Failure codes of the simulated bank, as a failed payout's failure_code
// says them.
const (
	FailureAccountClosed   = "account_closed"
	FailureNoAccount       = "no_account"
	FailureCouldNotProcess = "could_not_process"
)

// Refusal is the bank's reason for not paying a transfer, at once or
// after the fact: Code is what the payout's failure_code says.
type Refusal struct {
	Code    string
	Message string
}

func (r *Refusal) Error() string { return "bank refused the transfer: " + r.Code + ": " + r.Message }

// Bank moves payouts to merchants' bank accounts.
type Bank interface {
	// Submit hands a transfer to the bank. It returns nil once the bank
	// has accepted it, a *Refusal when the bank refuses it at once, and
	// another error when the bank could not be asked: the transfer is then
	// submitted again later, under the same reference.
	Submit(ctx context.Context, t Transfer) error
	// Track reports where an accepted transfer is as of now:
	// TransferInTransit, TransferPaid, or TransferFailed with the
	// *Refusal, whether it never arrived or came back after it was paid.
	Track(ctx context.Context, t Transfer, now time.Time) (string, *Refusal, error)
	// ReturnWindow is how long after paying a transfer the bank may still
	// return it: paid payouts are tracked that long.
	ReturnWindow() time.Duration
}

// The simulated bank's account numbers, as API.md lists them; any other
// number is paid.
const (
	SimulatedPays         = "000123456789"
	SimulatedClosed       = "000111111113" // refused at once: FailureAccountClosed
	SimulatedNoAccount    = "000111111116" // refused at once: FailureNoAccount
	SimulatedReturnedPaid = "000222222227" // paid, then returned: FailureCouldNotProcess
)

// SimulatedBank is the test-mode bank: in process, deterministic by
// account number and by the time since a transfer was submitted, and
// moving no real money. A transfer is paid PaidAfter its submission (2 s
// when zero); one to SimulatedReturnedPaid comes back ReturnedAfter it
// (5 s when zero).
type SimulatedBank struct {
	PaidAfter     time.Duration
	ReturnedAfter time.Duration
}

func (b SimulatedBank) timing() (paid, returned time.Duration) {
	paid, returned = b.PaidAfter, b.ReturnedAfter
	if paid == 0 {
		paid = 2 * time.Second
	}
	if returned == 0 {
		returned = 5 * time.Second
	}
	return paid, max(returned, paid)
}

// Submit refuses the closed and unknown accounts and accepts the rest.
func (SimulatedBank) Submit(ctx context.Context, t Transfer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch t.AccountNumber {
	case SimulatedClosed:
		return &Refusal{Code: FailureAccountClosed, Message: "the bank account is closed"}
	case SimulatedNoAccount:
		return &Refusal{Code: FailureNoAccount, Message: "the bank has no account with this number"}
	}
	return nil
}

// Track pays a transfer PaidAfter its submission, and returns one to
// SimulatedReturnedPaid ReturnedAfter it.
func (b SimulatedBank) Track(ctx context.Context, t Transfer, now time.Time) (string, *Refusal, error) {
	if err := ctx.Err(); err != nil {
		return "", nil, err
	}
	paid, returned := b.timing()
	elapsed := now.Sub(t.SubmittedAt)
	switch {
	case t.AccountNumber == SimulatedReturnedPaid && elapsed >= returned:
		return TransferFailed, &Refusal{Code: FailureCouldNotProcess, Message: "the bank could not process the payout and returned it"}, nil
	case elapsed >= paid:
		return TransferPaid, nil, nil
	}
	return TransferInTransit, nil, nil
}

// ReturnWindow is an hour: long past ReturnedAfter, short enough that the
// job tracks few paid payouts.
func (SimulatedBank) ReturnWindow() time.Duration { return time.Hour }
