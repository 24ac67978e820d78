package wallet

import "context"

// Bank is the payer's linked bank account. Charge pulls money from it into
// the wallet, Payout pushes money back to it. Each returns nil once the
// money has moved, ErrBankDeclined when the bank refuses, and another error
// when the bank could not be asked. reference is the transfer id, unique
// per call, for the bank's own idempotency and statements.
type Bank interface {
	Charge(ctx context.Context, walletID string, amount int64, currency, reference string) error
	Payout(ctx context.Context, walletID string, amount int64, currency, reference string) error
}

// SimulatedDeclineAmount is the one amount, in minor units of any
// currency, that SimulatedBank declines (4.04 CNY), so a declined top-up
// or withdrawal can be shown and tested.
const SimulatedDeclineAmount int64 = 404

// SimulatedBank is the test-mode bank: it answers at once, in process, and
// moves no real money. It declines only SimulatedDeclineAmount.
type SimulatedBank struct{}

// Charge succeeds unless amount is SimulatedDeclineAmount.
func (SimulatedBank) Charge(ctx context.Context, _ string, amount int64, _, _ string) error {
	return simulate(ctx, amount)
}

// Payout succeeds unless amount is SimulatedDeclineAmount.
func (SimulatedBank) Payout(ctx context.Context, _ string, amount int64, _, _ string) error {
	return simulate(ctx, amount)
}

func simulate(ctx context.Context, amount int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if amount == SimulatedDeclineAmount {
		return ErrBankDeclined
	}
	return nil
}
