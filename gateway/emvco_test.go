package gateway_test

import (
	"context"
	"strings"
	"testing"

	"github.com/scanpay/scanpay/checkout/qr"
	"github.com/scanpay/scanpay/merchant"
)

// TestScanNonASCIIMerchant: a merchant named in Chinese gets an EMVCo code
// whose template 64 counts characters, as the EMVCo profiles do, and the
// wallet's scan reads it.
func TestScanNonASCIIMerchant(t *testing.T) {
	e := newEnv(t)
	_, key, err := e.merchants.Create(context.Background(), merchant.CreateParams{Name: "蓝瓶咖啡", City: "上海"})
	if err != nil {
		t.Fatal(err)
	}
	_, token := e.payer("13800138000", 50000)
	o := e.createOrder(key, `{"amount":1250,"currency":"CNY","qr_format":"emvco"}`)
	payload := o["qr"].(map[string]any)["payload"].(string)
	if !strings.Contains(payload, "6420"+"0002ZH"+"0104蓝瓶咖啡"+"0202上海"+"6304") {
		t.Fatalf("payload %s does not carry template 64 with character lengths", payload)
	}
	p := e.do(request{method: "POST", path: "/wallet/v1/scan", key: token, body: `{"payload":"` + payload + `"}`})
	if p.Code != 200 {
		t.Fatalf("scan: %d %s", p.Code, p.Body.String())
	}
	if preview := p.json(t); preview["order"] != o["id"] || preview["merchant_name"] != "蓝瓶咖啡" {
		t.Fatalf("preview %v", preview)
	}
	if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(o["id"].(string))}); r.Code != 201 {
		t.Fatalf("pay: %d %s", r.Code, r.Body.String())
	}
}

// TestEMVCoLatinNames: data objects 59 and 60 hold the merchant's own Latin
// name, or a transliteration, never a placeholder.
func TestEMVCoLatinNames(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		params               merchant.CreateParams
		name, city, language string
	}{
		{merchant.CreateParams{Name: "蓝瓶咖啡", NameLatin: "Blue Bottle Coffee", City: "上海"}, "Blue Bottle Coffee", "Shanghai", "ZH"},
		{merchant.CreateParams{Name: "蓝瓶咖啡", City: "重庆", CityLatin: "Chongqing"}, "Lanpingkafei", "Chongqing", "ZH"},
		{merchant.CreateParams{Name: "喫茶ほし", NameLatin: "Kissa Hoshi", City: "Tokyo", Country: "JP"}, "Kissa Hoshi", "Tokyo", "JA"},
		{merchant.CreateParams{Name: "Café Zürich", City: "Zürich", Country: "CH"}, "Cafe Zurich", "Zurich", ""},
	} {
		_, key, err := e.merchants.Create(context.Background(), tt.params)
		if err != nil {
			t.Fatal(err)
		}
		o := e.createOrder(key, `{"amount":1250,"currency":"CNY","qr_format":"emvco"}`)
		payload := o["qr"].(map[string]any)["payload"].(string)
		p, err := qr.ParseEMVCo(payload)
		if err != nil {
			t.Fatalf("%s: %v", payload, err)
		}
		if p.MerchantName != tt.name || p.MerchantCity != tt.city || p.AltLanguage.Language != tt.language {
			t.Errorf("%s: 59 %q, 60 %q, 64.00 %q; want %q, %q, %q", tt.params.Name, p.MerchantName, p.MerchantCity, p.AltLanguage.Language, tt.name, tt.city, tt.language)
		}
		if tt.language != "" && (p.AltLanguage.MerchantName != tt.params.Name || p.AltLanguage.MerchantCity != tt.params.City) {
			t.Errorf("%s: template 64 %+v", tt.params.Name, p.AltLanguage)
		}
	}
}

// TestScanOtherSchemeEMVCo: a well-formed EMVCo code of another scheme
// (the EMVCo specification's sample, with UnionPay-style accounts and no
// template 26) is not ours, rather than broken.
func TestScanOtherSchemeEMVCo(t *testing.T) {
	e := newEnv(t)
	_, token := e.payer("13800138000", 0)
	const sample = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A"
	e.do(request{method: "POST", path: "/wallet/v1/scan", key: token, body: `{"payload":"` + sample + `"}`}).
		expectError(t, 400, "invalid_request_error", "payload_unrecognized", "payload")
}

// TestEMVCoWithoutLatinName: a merchant stored before Latin names were
// kept, whose name has nothing to transliterate, gets a clear 400 for an
// EMVCo order rather than a placeholder in its code; URL codes still work.
func TestEMVCoWithoutLatinName(t *testing.T) {
	e := newEnv(t)
	m, key, err := e.merchants.Create(context.Background(), merchant.CreateParams{Name: "ほし", NameLatin: "Hoshi", Country: "JP", City: "Tokyo"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.Exec(`UPDATE merchants SET name_latin = '' WHERE id = ?`, m.ID).Error; err != nil {
		t.Fatal(err)
	}
	e.do(request{method: "POST", path: "/v1/orders", key: key, body: `{"amount":1250,"currency":"JPY","qr_format":"emvco"}`}).
		expectError(t, 400, "invalid_request_error", "parameter_invalid", "qr_format")
	if n := e.count("orders"); n != 0 {
		t.Fatalf("%d orders stored", n)
	}
	e.createOrder(key, `{"amount":1250,"currency":"JPY"}`)
}
