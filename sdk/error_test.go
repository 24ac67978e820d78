package sdk_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/scanpay/scanpay/sdk"
)

// sentinels maps every code the merchant API answers with to its
// sentinel.
var sentinels = map[string]*sdk.Error{
	"parameter_invalid":             sdk.ErrParameterInvalid,
	"parameter_missing":             sdk.ErrParameterMissing,
	"parameter_unknown":             sdk.ErrParameterUnknown,
	"invalid_json":                  sdk.ErrInvalidJSON,
	"body_unreadable":               sdk.ErrBodyUnreadable,
	"body_too_large":                sdk.ErrBodyTooLarge,
	"route_not_found":               sdk.ErrRouteNotFound,
	"resource_missing":              sdk.ErrResourceMissing,
	"internal_error":                sdk.ErrInternal,
	"api_key_missing":               sdk.ErrAPIKeyMissing,
	"api_key_invalid":               sdk.ErrAPIKeyInvalid,
	"api_key_revoked":               sdk.ErrAPIKeyRevoked,
	"idempotency_key_reused":        sdk.ErrIdempotencyKeyReused,
	"idempotency_key_in_use":        sdk.ErrIdempotencyKeyInUse,
	"reference_already_exists":      sdk.ErrReferenceAlreadyExists,
	"order_not_cancelable":          sdk.ErrOrderNotCancelable,
	"order_not_payable":             sdk.ErrOrderNotPayable,
	"order_not_refundable":          sdk.ErrOrderNotRefundable,
	"refund_exceeds_payment":        sdk.ErrRefundExceedsPayment,
	"merchant_balance_insufficient": sdk.ErrMerchantBalanceInsufficient,
	"coupon_not_applicable":         sdk.ErrCouponNotApplicable,
	"coupon_budget_exhausted":       sdk.ErrCouponBudgetExhausted,
	"coupon_limit_reached":          sdk.ErrCouponLimitReached,
	"campaign_not_active":           sdk.ErrCampaignNotActive,
	"campaign_not_claimable":        sdk.ErrCampaignNotClaimable,
	"balance_insufficient":          sdk.ErrBalanceInsufficient,
	"bank_account_missing":          sdk.ErrBankAccountMissing,
	"bank_account_errored":          sdk.ErrBankAccountErrored,
	"rate_limited":                  sdk.ErrRateLimited,
}

// payerOnly are codes of the wallet API and the operator's health checks,
// which a merchant's key never meets.
var payerOnly = map[string]bool{
	"invalid_credentials": true, "invalid_session": true, "incorrect_pin": true, "pin_locked": true,
	"pin_required": true, "pin_too_simple": true, "wallet_frozen": true, "phone_already_registered": true,
	"bank_declined": true, "insufficient_funds": true, "payload_invalid": true,
	"payload_unrecognized": true, "payload_unknown": true, "not_ready": true, "static_qr_limit_exceeded": true,
}

// A new error code in the gateway needs its sentinel here (or a place in
// payerOnly): this test reads the codes from the server's source.
func TestSentinelsCoverTheGatewaysCodes(t *testing.T) {
	codeRE := regexp.MustCompile(`Code: "([a-z_]+)"`)
	found := map[string]string{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// The command line's own codes (the load tool's) are not the gateway's.
		if d.IsDir() && (d.Name() == "sdk" || d.Name() == "examples" || d.Name() == "cmd" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range codeRE.FindAllStringSubmatch(string(src), -1) {
			found[m[1]] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) < 20 {
		t.Fatalf("found only %d codes in the gateway's source: is the walk broken?", len(found))
	}
	for code, path := range found {
		if sentinels[code] == nil && !payerOnly[code] {
			t.Errorf("%s defines code %q, which has no sentinel in package sdk", path, code)
		}
	}
	for code := range sentinels {
		if _, ok := found[code]; !ok {
			t.Errorf("sentinel for %q, which the gateway no longer defines", code)
		}
	}
}

func TestErrorsIsMatchesOnTheCode(t *testing.T) {
	for code, sentinel := range sentinels {
		if sentinel.Code != code {
			t.Errorf("sentinel for %s has code %s", code, sentinel.Code)
		}
		got := &sdk.Error{HTTPStatus: 409, Type: "conflict_error", Code: code, Message: "from the gateway", RequestID: "req_1"}
		if !errors.Is(fmt.Errorf("create: %w", got), sentinel) {
			t.Errorf("a wrapped %s error does not match its sentinel", code)
		}
		for other, s := range sentinels {
			if other != code && errors.Is(got, s) {
				t.Errorf("a %s error matches the sentinel of %s", code, other)
			}
		}
	}
	if errors.Is(&sdk.Error{HTTPStatus: 503}, &sdk.Error{}) {
		t.Error("errors without a code match each other")
	}
}

func TestErrorText(t *testing.T) {
	e := &sdk.Error{HTTPStatus: 400, Type: "invalid_request_error", Code: "parameter_invalid", Param: "amount",
		Message: "amount must be positive", RequestID: "req_7"}
	if got, want := e.Error(), "scanpay: parameter_invalid (amount): amount must be positive [400 req_7]"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := sdk.ErrResourceMissing.Error(), "scanpay: resource_missing: no such object"; got != want {
		t.Errorf("sentinel Error() = %q, want %q", got, want)
	}
}
