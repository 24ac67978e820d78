package gateway_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/settlement"
)

// settleAll runs the settlement job as of the day after tomorrow in
// Shanghai, the merchants' default zone: every day up to today settles.
func (e *env) settleAll() []settlement.Settlement {
	e.t.Helper()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		e.t.Fatal(err)
	}
	y, m, d := e.clock.Now().In(shanghai).Date()
	made, err := e.settlement.SettleDue(e.t.Context(), time.Date(y, m, d+2, 0, 0, 0, 0, time.UTC))
	if err != nil {
		e.t.Fatal(err)
	}
	return made
}

// paidOrder is an order of amount CNY paid by a new payer.
func (e *env) paidOrder(key, phone string, amount int64) string {
	e.t.Helper()
	_, token := e.payer(phone, 100000)
	id := e.createOrder(key, `{"amount":`+strconv.FormatInt(amount, 10)+`,"currency":"CNY"}`)["id"].(string)
	if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(id)}); r.Code != http.StatusCreated {
		e.t.Fatalf("pay: %d %s", r.Code, r.Body.String())
	}
	return id
}

// TestBalanceSettlementAndPayoutThroughTheAPI: a payment shows as pending,
// settles into a settlement whose report downloads as the signed bytes,
// and pays out to a bank account that shows only its last four digits.
func TestBalanceSettlementAndPayoutThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	e.do(request{method: "POST", path: "/v1/merchant", key: key, body: `{"payout_schedule":"manual"}`})
	e.paidOrder(key, "13800138000", 12500)
	balance := e.do(request{method: "GET", path: "/v1/balance", key: key}).json(t)
	pending := balance["pending"].([]any)
	if balance["object"] != "balance" || len(pending) != 1 || pending[0].(map[string]any)["amount"].(float64) <= 0 ||
		len(balance["available"].([]any)) != 0 || len(balance["in_transit"].([]any)) != 0 {
		t.Fatalf("balance %v", balance)
	}
	net := pending[0].(map[string]any)["amount"].(float64)
	lines := e.do(request{method: "GET", path: "/v1/balance_transactions?type=payment", key: key}).json(t)["data"].([]any)
	if len(lines) != 1 || lines[0].(map[string]any)["status"] != "pending" || lines[0].(map[string]any)["net"] != net ||
		lines[0].(map[string]any)["available_on"] == "" {
		t.Fatalf("balance transactions %v", lines)
	}
	line := lines[0].(map[string]any)
	if got := e.do(request{method: "GET", path: "/v1/balance_transactions/" + line["id"].(string), key: key}).json(t); got["id"] != line["id"] || got["net"] != net {
		t.Fatalf("balance transaction %v", got)
	}

	made := e.settleAll()
	if len(made) != 1 {
		t.Fatalf("%d settlements", len(made))
	}
	st := e.do(request{method: "GET", path: "/v1/settlements/" + made[0].ID, key: key}).json(t)
	report := st["report"].(map[string]any)
	if st["object"] != "settlement" || st["net"] != net || st["count"] != 1.0 ||
		report["url"] != baseURL+"/v1/settlements/"+made[0].ID+"/report.csv" {
		t.Fatalf("settlement %v", st)
	}
	if list := e.do(request{method: "GET", path: "/v1/settlements", key: key}).json(t)["data"].([]any); len(list) != 1 {
		t.Fatalf("settlements %v", list)
	}
	if got := e.do(request{method: "GET", path: "/v1/balance_transactions?settlement=" + made[0].ID, key: key}).json(t)["data"].([]any); len(got) != 1 {
		t.Fatalf("the settlement's lines %v", got)
	}
	csv := e.do(request{method: "GET", path: "/v1/settlements/" + made[0].ID + "/report.csv", key: key})
	sum := sha256.Sum256(csv.Body.Bytes())
	if csv.Code != 200 || csv.Header().Get("Content-Type") != "text/csv; charset=utf-8" || hex.EncodeToString(sum[:]) != report["sha256"] {
		t.Fatalf("report: %d %s %q", csv.Code, csv.Header().Get("Content-Type"), csv.Body.String())
	}
	keys := e.do(request{method: "GET", path: "/v1/signing_keys", key: key}).json(t)["data"].([]any)
	signing := keys[0].(map[string]any)
	if signing["object"] != "signing_key" || signing["algorithm"] != "ed25519" || signing["id"] != report["key_id"] {
		t.Fatalf("signing keys %v", keys)
	}
	public, err := settlement.ParsePublicKey(signing["public_key"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if err := settlement.VerifyReport(csv.Body.Bytes(), report["sha256"].(string), report["signature"].(string), public); err != nil {
		t.Fatal(err)
	}

	r := e.do(request{method: "POST", path: "/v1/bank_accounts", key: key,
		body: `{"account_holder":"Blue Bottle Ltd","account_number":"000123456789","currency":"CNY"}`})
	account := r.json(t)
	if r.Code != 201 || account["object"] != "bank_account" || account["last4"] != "6789" || account["status"] != "new" ||
		strings.Contains(r.Body.String(), "000123456789") {
		t.Fatalf("bank account: %d %s", r.Code, r.Body.String())
	}
	if got := e.do(request{method: "GET", path: "/v1/bank_accounts", key: key}).json(t)["data"].([]any); len(got) != 1 {
		t.Fatalf("bank accounts %v", got)
	}
	if got := e.do(request{method: "GET", path: "/v1/bank_accounts/" + account["id"].(string), key: key}).json(t); got["id"] != account["id"] || got["last4"] != "6789" {
		t.Fatalf("bank account %v", got)
	}
	r = e.do(request{method: "POST", path: "/v1/payouts", key: key, body: `{"amount":5000,"currency":"CNY"}`})
	payout := r.json(t)
	if r.Code != 201 || payout["object"] != "payout" || payout["status"] != "pending" || payout["bank_account"] != account["id"] ||
		payout["automatic"] != false {
		t.Fatalf("payout: %d %s", r.Code, r.Body.String())
	}
	balance = e.do(request{method: "GET", path: "/v1/balance", key: key}).json(t)
	if got := balance["available"].([]any)[0].(map[string]any)["amount"]; got != net-5000 {
		t.Fatalf("available %v, want %v", got, net-5000)
	}
	if got := balance["in_transit"].([]any)[0].(map[string]any)["amount"]; got != 5000.0 {
		t.Fatalf("in transit %v", got)
	}
	e.clock.Advance(time.Second)
	if _, err := e.settlement.AdvancePayouts(t.Context()); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(3 * time.Second)
	if _, err := e.settlement.AdvancePayouts(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := e.do(request{method: "GET", path: "/v1/payouts/" + payout["id"].(string), key: key}).json(t); got["status"] != "paid" {
		t.Fatalf("payout %v", got)
	}
	if got := e.do(request{method: "GET", path: "/v1/payouts", key: key}).json(t)["data"].([]any); len(got) != 1 {
		t.Fatalf("payouts %v", got)
	}
	e.verifyLedger()
}

// TestSettlementBadInput: refusals name the field, change nothing, and
// another merchant's objects (or another mode's) are not found.
func TestSettlementBadInput(t *testing.T) {
	e := newEnv(t)
	mchID, key := e.merchant("Blue Bottle")
	_, other := e.merchant("Tea House")
	_, live, err := e.merchants.CreateKey(t.Context(), mchID, true)
	if err != nil {
		t.Fatal(err)
	}
	e.do(request{method: "POST", path: "/v1/merchant", key: key, body: `{"payout_schedule":"manual"}`})
	e.paidOrder(key, "13800138000", 12500)
	made := e.settleAll()
	account := e.do(request{method: "POST", path: "/v1/bank_accounts", key: key,
		body: `{"account_holder":"Blue Bottle Ltd","account_number":"000123456789","currency":"CNY"}`}).json(t)["id"].(string)
	payout := e.do(request{method: "POST", path: "/v1/payouts", key: key, body: `{"amount":100,"currency":"CNY"}`}).json(t)["id"].(string)
	line := e.do(request{method: "GET", path: "/v1/balance_transactions", key: key}).json(t)["data"].([]any)[0].(map[string]any)["id"].(string)
	theirAccount := e.do(request{method: "POST", path: "/v1/bank_accounts", key: other,
		body: `{"account_holder":"Tea","account_number":"000123456789","currency":"CNY"}`}).json(t)["id"].(string)

	counts := func() [4]int64 {
		return [4]int64{e.count("payouts"), e.count("bank_accounts"), e.count("balance_transactions"), e.count("ledger_entries")}
	}
	before := counts()
	available := e.do(request{method: "GET", path: "/v1/balance", key: key}).json(t)["available"]
	for _, c := range []struct {
		path, body, code, param string
		status                  int
	}{
		{"/v1/payouts", `{"amount":100000000,"currency":"CNY"}`, "balance_insufficient", "amount", 400},
		{"/v1/payouts", `{"amount":-5,"currency":"CNY"}`, "parameter_invalid", "amount", 400},
		{"/v1/payouts", `{"amount":100,"currency":"XYZ"}`, "parameter_invalid", "currency", 400},
		{"/v1/payouts", `{"amount":100,"currency":"CNY","bank_account":"` + theirAccount + `"}`, "resource_missing", "bank_account", 404},
		{"/v1/payouts", `{"amount":100,"currency":"CNY","bank_account":"ba_nope"}`, "resource_missing", "bank_account", 404},
		{"/v1/bank_accounts", `{"account_holder":"x","account_number":"1234 5678 9012","currency":"CNY"}`, "parameter_invalid", "account_number", 400},
		{"/v1/bank_accounts", `{"account_holder":"x","account_number":"1234567","currency":"CNY"}`, "parameter_invalid", "account_number", 400},
		{"/v1/bank_accounts", `{"account_holder":"x","account_number":"123456789012345678901","currency":"CNY"}`, "parameter_invalid", "account_number", 400},
		{"/v1/bank_accounts", `{"account_holder":"x","account_number":"12345678a","currency":"CNY"}`, "parameter_invalid", "account_number", 400},
		{"/v1/bank_accounts", `{"account_holder":"x","currency":"CNY"}`, "parameter_missing", "account_number", 400},
		{"/v1/bank_accounts", `{"account_number":"000123456789","currency":"CNY"}`, "parameter_missing", "account_holder", 400},
		{"/v1/bank_accounts", `{"account_holder":"x","account_number":"000123456789","currency":"ABC"}`, "parameter_invalid", "currency", 400},
		{"/v1/merchant", `{"timezone":"Mars/Olympus_Mons"}`, "parameter_invalid", "timezone", 400},
		{"/v1/merchant", `{"timezone":"Local"}`, "parameter_invalid", "timezone", 400},
		{"/v1/merchant", `{"timezone":"../../etc/passwd"}`, "parameter_invalid", "timezone", 400},
		{"/v1/merchant", `{"settlement_delay_days":0}`, "parameter_invalid", "settlement_delay_days", 400},
		{"/v1/merchant", `{"settlement_delay_days":31}`, "parameter_invalid", "settlement_delay_days", 400},
		{"/v1/merchant", `{"payout_schedule":"weekly"}`, "parameter_invalid", "payout_schedule", 400},
	} {
		r := e.do(request{method: "POST", path: c.path, key: key, body: c.body})
		typ := map[int]string{400: "invalid_request_error", 404: "not_found_error"}[c.status]
		r.expectError(t, c.status, typ, c.code, c.param)
	}
	if got := counts(); got != before {
		t.Fatalf("refusals changed rows: %v, before %v", got, before)
	}
	if got := e.do(request{method: "GET", path: "/v1/balance", key: key}).json(t)["available"]; !reflect.DeepEqual(got, available) {
		t.Fatalf("available %v, before %v", got, available)
	}
	m := e.do(request{method: "GET", path: "/v1/merchant", key: key}).json(t)
	if m["timezone"] != "Asia/Shanghai" || m["settlement_delay_days"] != 1.0 || m["payout_schedule"] != "manual" {
		t.Fatalf("merchant %v", m)
	}
	e.do(request{method: "GET", path: "/v1/balance_transactions?type=bonus", key: key}).
		expectError(t, 400, "invalid_request_error", "parameter_invalid", "type")

	for _, path := range []string{"/v1/settlements/" + made[0].ID, "/v1/settlements/" + made[0].ID + "/report.csv",
		"/v1/payouts/" + payout, "/v1/bank_accounts/" + account, "/v1/balance_transactions/" + line} {
		for _, k := range []string{other, live} {
			e.do(request{method: "GET", path: path, key: k}).expectError(t, 404, "not_found_error", "resource_missing", "id")
		}
	}
	for _, path := range []string{"/v1/settlements", "/v1/payouts", "/v1/balance_transactions"} {
		if got := e.do(request{method: "GET", path: path, key: other}).json(t)["data"].([]any); len(got) != 0 {
			t.Fatalf("%s of another merchant: %v", path, got)
		}
	}
	if got := e.do(request{method: "GET", path: "/v1/bank_accounts", key: other}).json(t)["data"].([]any); len(got) != 1 ||
		got[0].(map[string]any)["id"] != theirAccount {
		t.Fatalf("the other merchant's bank accounts %v", got)
	}
}

// TestUpdateMerchantSettings: POST /v1/merchant changes what it is given,
// keeps the rest, and GET shows it at once.
func TestUpdateMerchantSettings(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	m := e.do(request{method: "GET", path: "/v1/merchant", key: key}).json(t)
	if m["timezone"] != "Asia/Shanghai" || m["settlement_delay_days"] != 1.0 || m["payout_schedule"] != "daily" || m["livemode"] != false {
		t.Fatalf("defaults %v", m)
	}
	r := e.do(request{method: "POST", path: "/v1/merchant", key: key, body: `{"timezone":"Europe/Paris","settlement_delay_days":3}`})
	if got := r.json(t); r.Code != 200 || got["timezone"] != "Europe/Paris" || got["settlement_delay_days"] != 3.0 || got["payout_schedule"] != "daily" {
		t.Fatalf("update: %d %s", r.Code, r.Body.String())
	}
	if got := e.do(request{method: "GET", path: "/v1/merchant", key: key}).json(t); got["timezone"] != "Europe/Paris" || got["settlement_delay_days"] != 3.0 {
		t.Fatalf("after the update %v", got)
	}
}

// TestNoBankAccountNumberInClear: an account number appears nowhere in a
// dump of the database nor in the logs, only its last four digits do.
func TestNoBankAccountNumberInClear(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	const number = "62220203987654321"
	r := e.do(request{method: "POST", path: "/v1/bank_accounts", key: key, headers: idem("ba"),
		body: `{"account_holder":"Blue Bottle Ltd","account_number":"` + number + `","currency":"CNY"}`})
	if r.Code != 201 || r.json(t)["last4"] != "4321" {
		t.Fatalf("bank account: %d %s", r.Code, r.Body.String())
	}
	e.do(request{method: "POST", path: "/v1/bank_accounts", key: key,
		body: `{"account_holder":"x","account_number":"` + number + `x","currency":"CNY"}`}).
		expectError(t, 400, "invalid_request_error", "parameter_invalid", "account_number")
	for _, part := range []string{number, number[:12], number[4:]} {
		if strings.Contains(e.dump(), part) {
			t.Errorf("the database holds %q", part)
		}
		if strings.Contains(e.logs.String(), part) {
			t.Errorf("the log holds %q", part)
		}
	}
}
