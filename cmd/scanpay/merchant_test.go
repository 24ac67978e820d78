package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/scanpay/scanpay/storage/storagetest"
)

func TestMerchantCreateLatinForms(t *testing.T) {
	db := storagetest.URL(t)
	code, out, errOut := cli(t, "merchant", "create", "--name", "蓝瓶咖啡", "--name-latin", "Blue Bottle Coffee", "--city", "重庆", "--city-latin", "Chongqing", "--db", db, "--json")
	if code != 0 {
		t.Fatalf("merchant create: %d %s", code, errOut)
	}
	var created struct {
		Merchant struct {
			NameLatin string `json:"name_latin"`
			CityLatin string `json:"city_latin"`
		}
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.Merchant.NameLatin != "Blue Bottle Coffee" || created.Merchant.CityLatin != "Chongqing" {
		t.Fatalf("merchant create --json: %v %s", err, out)
	}
	// Without them the transliteration is shown, so the merchant can check it.
	code, out, _ = cli(t, "merchant", "create", "--name", "蓝瓶咖啡", "--city", "上海", "--db", db)
	if code != 0 || !strings.Contains(out, "in Latin   Lanpingkafei, Shanghai") {
		t.Fatalf("merchant create: %d\n%s", code, out)
	}
	if code, _, errOut := cli(t, "merchant", "create", "--name", "蓝瓶咖啡", "--name-latin", "Lán", "--db", db); code != 1 || !strings.Contains(errOut, "printable ASCII") {
		t.Fatalf("a non-ASCII --name-latin: %d %q", code, errOut)
	}
}
