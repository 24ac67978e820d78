package sdk

import "fmt"

// Error is a failure the gateway reported: its error object, the HTTP
// status and the request id to quote to the gateway's operator. Test it
// against the sentinels below with errors.Is, which compares codes:
//
//	if errors.Is(err, sdk.ErrOrderNotCancelable) { ... }
type Error struct {
	// HTTPStatus is the response's status code.
	HTTPStatus int
	// Type is the class of error: invalid_request_error,
	// authentication_error, permission_error, not_found_error,
	// conflict_error, rate_limit_error or api_error.
	Type string
	// Code says what went wrong, for programs: parameter_missing,
	// order_not_cancelable, ...
	Code string
	// Param names the offending field or header, when there is one.
	Param string
	// Message says what went wrong, for people.
	Message string
	// RequestID is the response's Request-Id header.
	RequestID string
}

func (e *Error) Error() string {
	s := "scanpay: "
	if e.Code != "" {
		s += e.Code
		if e.Param != "" {
			s += " (" + e.Param + ")"
		}
		s += ": "
	}
	s += e.Message
	if e.HTTPStatus != 0 {
		s += fmt.Sprintf(" [%d", e.HTTPStatus)
		if e.RequestID != "" {
			s += " " + e.RequestID
		}
		s += "]"
	}
	return s
}

// Is reports whether target is an *Error with the same code, which is how
// errors.Is matches the sentinels.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code != "" && t.Code == e.Code
}

func code(c, message string) *Error { return &Error{Code: c, Message: message} }

// Sentinels for the codes the merchant API answers with, to use with
// errors.Is.
var (
	// The request.
	ErrParameterInvalid = code("parameter_invalid", "a field is invalid; Param names it")
	ErrParameterMissing = code("parameter_missing", "a required field is missing; Param names it")
	ErrParameterUnknown = code("parameter_unknown", "the body has a field the gateway does not know; Param names it")
	ErrInvalidJSON      = code("invalid_json", "the body is not a JSON object")
	ErrBodyUnreadable   = code("body_unreadable", "the request body could not be read")
	ErrBodyTooLarge     = code("body_too_large", "the request body is too large")
	ErrRouteNotFound    = code("route_not_found", "no such route: the gateway is older than this SDK, or the base URL is wrong")
	ErrResourceMissing  = code("resource_missing", "no such object")
	ErrInternal         = code("internal_error", "the gateway failed; quote the request id to its operator")

	// The key.
	ErrAPIKeyMissing = code("api_key_missing", "no secret key was sent")
	ErrAPIKeyInvalid = code("api_key_invalid", "the secret key is not valid")
	ErrAPIKeyRevoked = code("api_key_revoked", "the secret key was revoked")

	// Idempotency.
	ErrIdempotencyKeyReused = code("idempotency_key_reused", "the Idempotency-Key was used with another request")
	ErrIdempotencyKeyInUse  = code("idempotency_key_in_use", "a request with this Idempotency-Key is still running")

	// Orders and refunds.
	ErrReferenceAlreadyExists      = code("reference_already_exists", "an order with this reference already exists")
	ErrOrderNotCancelable          = code("order_not_cancelable", "only a pending order can be canceled")
	ErrOrderNotPayable             = code("order_not_payable", "the order cannot be paid: it is paid, canceled or expired")
	ErrOrderNotRefundable          = code("order_not_refundable", "only a paid order can be refunded")
	ErrRefundExceedsPayment        = code("refund_exceeds_payment", "the refunds would exceed what was paid")
	ErrMerchantBalanceInsufficient = code("merchant_balance_insufficient", "the merchant's balance does not cover the refund")

	// Coupons.
	ErrCouponNotApplicable   = code("coupon_not_applicable", "the coupon cannot be used on this order; the message says why")
	ErrCouponBudgetExhausted = code("coupon_budget_exhausted", "the campaign's budget is spent")
	ErrCouponLimitReached    = code("coupon_limit_reached", "the wallet holds as many coupons of the campaign as it may")
	ErrCampaignNotActive     = code("campaign_not_active", "the campaign is paused or ended")
	ErrCampaignNotClaimable  = code("campaign_not_claimable", "the campaign's coupons are sent, not claimed")

	// Payouts.
	ErrBalanceInsufficient = code("balance_insufficient", "the payout is more than the available balance can pay out")
	ErrBankAccountMissing  = code("bank_account_missing", "no usable bank account in the payout's currency")
	ErrBankAccountErrored  = code("bank_account_errored", "a payout to this bank account failed; add another")

	// Limits.
	ErrRateLimited = code("rate_limited", "too many failed attempts from this address; wait for Retry-After")
)
