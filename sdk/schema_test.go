package sdk_test

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/sdk"
)

// The SDK's types read and write exactly the JSON the gateway documents
// in docs/openapi.json, which the gateway's tests keep equal to what its
// handlers answer and read: every field of a schema is a field of its SDK
// type, of the same JSON kind, and the SDK type has no field the schema
// lacks. The objects of balances, settlements and payouts also take null
// exactly where the gateway sends it (a pointer then, and only then);
// older types keep a zero value for some fields the gateway may send as
// null, where their docs say what zero means.
func TestTypesMirrorTheGatewaysSchemas(t *testing.T) {
	raw, err := os.ReadFile("../docs/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]schema `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{
		"Order":                  sdk.Order{},
		"Promotion":              sdk.Promotion{},
		"QR":                     sdk.QR{},
		"Refund":                 sdk.Refund{},
		"Cashback":               sdk.Cashback{},
		"CashbackCampaign":       sdk.CashbackCampaign{},
		"CouponCampaign":         sdk.CouponCampaign{},
		"Coupon":                 sdk.Coupon{},
		"EndpointWithSecret":     sdk.WebhookEndpoint{},
		"Attempt":                sdk.DeliveryAttempt{},
		"Resent":                 sdk.EventResend{},
		"Merchant":               sdk.Merchant{},
		"StaticQR":               sdk.StaticQR{},
		"StaticQRForm":           sdk.StaticQRForm{},
		"Balance":                sdk.Balance{},
		"CurrencyBalance":        sdk.CurrencyBalance{},
		"BalanceTransaction":     sdk.BalanceTransaction{},
		"Settlement":             sdk.Settlement{},
		"Report":                 sdk.SettlementReport{},
		"SigningKey":             sdk.SigningKey{},
		"BankAccount":            sdk.BankAccount{},
		"Payout":                 sdk.Payout{},
		"OrderParams":            sdk.OrderCreateParams{},
		"RefundParams":           sdk.RefundCreateParams{},
		"EndpointParams":         sdk.WebhookEndpointCreateParams{},
		"CampaignParams":         sdk.CouponCampaignCreateParams{},
		"CashbackCampaignParams": sdk.CashbackCampaignCreateParams{},
		"BankAccountParams":      sdk.BankAccountCreateParams{},
		"PayoutParams":           sdk.PayoutCreateParams{},
		"SettingsParams":         sdk.MerchantUpdateParams{},
	} {
		s, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("docs/openapi.json has no schema %s", name)
			continue
		}
		exact := slices.Contains([]string{"Balance", "CurrencyBalance", "BalanceTransaction", "Settlement", "Report",
			"SigningKey", "BankAccount", "Payout"}, name)
		fields := jsonFields(reflect.TypeOf(v))
		for prop, ps := range s.Properties {
			f, ok := fields[prop]
			if !ok {
				t.Errorf("%s: the gateway's field %q is not in %T", name, prop, v)
				continue
			}
			if problem := ps.mismatch(f.Type, exact); problem != "" {
				t.Errorf("%s.%s: %s is %s", name, prop, f.Type, problem)
			}
		}
		for field := range fields {
			if _, ok := s.Properties[field]; !ok {
				t.Errorf("%T has the field %q, which the gateway's %s does not", v, field, name)
			}
		}
	}
}

// schema is the part of a JSON Schema the test compares.
type schema struct {
	Type       typeList          `json:"type"`
	Format     string            `json:"format"`
	Ref        string            `json:"$ref"`
	AnyOf      []schema          `json:"anyOf"`
	Properties map[string]schema `json:"properties"`
}

// typeList is a schema's type: one name, or several ("string", "null").
type typeList []string

func (l *typeList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*l = typeList{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}

var timeType = reflect.TypeOf(time.Time{})

// mismatch says how t fails to hold what s describes, or "". With
// exact, t is a pointer exactly when s allows null.
func (s schema) mismatch(t reflect.Type, exact bool) string {
	kinds := slices.Clone(s.Type)
	if s.Ref != "" {
		kinds = typeList{"object"}
	}
	for _, alt := range s.AnyOf {
		if alt.Ref != "" {
			kinds = append(kinds, "object")
		}
		kinds = append(kinds, alt.Type...)
	}
	nullable := slices.Contains(kinds, "null")
	switch {
	case exact && nullable && t.Kind() != reflect.Pointer:
		return "not a pointer, but the field may be null"
	case exact && !nullable && t.Kind() == reflect.Pointer:
		return "a pointer, but the field is never null"
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	kind := strings.Join(slices.DeleteFunc(kinds, func(k string) bool { return k == "null" }), ",")
	var ok bool
	switch kind {
	case "integer":
		ok = t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64
	case "string":
		ok = t.Kind() == reflect.String || t == timeType
	case "boolean":
		ok = t.Kind() == reflect.Bool
	case "array":
		ok = t.Kind() == reflect.Slice
	case "object":
		ok = t.Kind() == reflect.Struct && t != timeType || t.Kind() == reflect.Map
	default:
		return "not comparable with a schema of type " + kind
	}
	if !ok {
		return "not a JSON " + kind
	}
	return ""
}

// jsonFields are the fields encoding/json reads and writes on t, by name.
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		if f.Anonymous && f.Tag.Get("json") == "" {
			for name, inner := range jsonFields(f.Type) {
				out[name] = inner
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		out[name] = f
	}
	return out
}
