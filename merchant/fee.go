package merchant

import "math/bits"

// DefaultFeeRateBPS is the default fee plan: 0.6% of each payment.
const DefaultFeeRateBPS = 60

// Fee is what the platform keeps of a payment of amount under a fee plan
// of rateBPS basis points, rounded half up to the minor unit. It is
// computed in two parts so that no amount an int64 holds overflows.
func Fee(rateBPS int, amount int64) int64 {
	b := int64(rateBPS)
	return amount/10000*b + (amount%10000*b+5000)/10000
}

// FeeShare is the part of fee that goes with part of amount, rounded half
// up. Refunds return the fee in proportion; taking the share of the running
// total (FeeShare(after) − FeeShare(before)) makes the shares of several
// partial refunds add up to exactly the whole fee. Requires
// 0 ≤ fee ≤ amount and 0 ≤ part ≤ amount.
func FeeShare(fee, part, amount int64) int64 {
	if amount <= 0 {
		return 0
	}
	// fee·part can exceed 64 bits; the quotient cannot, since it is at most
	// part, so a 128-bit product divided by amount is exact.
	hi, lo := bits.Mul64(uint64(fee), uint64(part))
	q, r := bits.Div64(hi, lo, uint64(amount))
	if 2*r >= uint64(amount) {
		q++
	}
	return int64(q)
}
