package merchant_test

import (
	"context"
	"strings"
	"testing"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage/storagetest"
)

func TestLatin(t *testing.T) {
	for _, tt := range []struct {
		in   string
		max  int
		want string
	}{
		{"Blue Bottle Coffee", 25, "Blue Bottle Coffee"},
		{"蓝瓶咖啡", 25, "Lanpingkafei"},
		{"上海", 15, "Shanghai"},
		{"蓝瓶 咖啡", 25, "Lanping Kafei"},
		{"ABC咖啡店", 25, "ABC Kafeidian"},
		{"蓝瓶·咖啡", 25, "Lanping Kafei"},
		{"Café Zürich", 25, "Cafe Zurich"},
		{"Ｃａｆｅ　１", 25, "Cafe 1"},
		{"  Blue\tBottle  ", 25, "Blue Bottle"},
		{"喫茶 ほし", 25, "Chicha"},
		{"ほし", 25, ""},
		{"🐳", 25, ""},
		{"Blue Bottle Coffee Roasters Shanghai", 25, "Blue Bottle Coffee Roaste"},
		{"中华人民共和国北京市", 15, "Zhonghuarenming"},
	} {
		if got := merchant.Latin(tt.in, tt.max); got != tt.want {
			t.Errorf("Latin(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestCreateLatinForms(t *testing.T) {
	db, _ := storagetest.Open(t)
	svc := merchant.NewService(db, scanpay.Now)
	ctx := context.Background()

	given, _, err := svc.Create(ctx, merchant.CreateParams{Name: "蓝瓶咖啡", NameLatin: " Blue Bottle Coffee ", City: "上海"})
	if err != nil {
		t.Fatal(err)
	}
	if given.NameLatin != "Blue Bottle Coffee" || given.CityLatin != "Shanghai" {
		t.Fatalf("created %+v", given)
	}
	read, err := svc.Get(ctx, given.ID)
	if err != nil || read.NameLatin != "Blue Bottle Coffee" || read.CityLatin != "Shanghai" || read.Name != "蓝瓶咖啡" {
		t.Fatalf("read back %+v, %v", read, err)
	}
	chongqing, _, err := svc.Create(ctx, merchant.CreateParams{Name: "火锅", City: "重庆", CityLatin: "Chongqing"})
	if err != nil || chongqing.NameLatin != "Huoguo" || chongqing.CityLatin != "Chongqing" {
		t.Fatalf("created %+v, %v", chongqing, err)
	}

	// A merchant stored before the Latin forms were kept reads with them.
	if err := db.Exec(`UPDATE merchants SET name_latin = '', city_latin = '' WHERE id = ?`, given.ID).Error; err != nil {
		t.Fatal(err)
	}
	// (A service of its own: this one keeps what it read for CacheTTL.)
	old, err := merchant.NewService(db, scanpay.Now).Get(ctx, given.ID)
	if err != nil || old.NameLatin != "Lanpingkafei" || old.CityLatin != "Shanghai" {
		t.Fatalf("merchant without stored Latin forms reads as %+v, %v", old, err)
	}

	for _, tt := range []struct {
		p     merchant.CreateParams
		param string
	}{
		{merchant.CreateParams{Name: "ほし"}, "name_latin"},
		{merchant.CreateParams{Name: "Cafe", City: "ソウル"}, "city_latin"},
		{merchant.CreateParams{Name: "蓝瓶咖啡", NameLatin: "Lán Píng"}, "name_latin"},
		{merchant.CreateParams{Name: "蓝瓶咖啡", NameLatin: strings.Repeat("n", 26)}, "name_latin"},
		{merchant.CreateParams{Name: "Cafe", CityLatin: strings.Repeat("c", 16)}, "city_latin"},
		{merchant.CreateParams{Name: "Cafe", CityLatin: "Shang\nhai"}, "city_latin"},
		{merchant.CreateParams{Name: "Ca\u0007fe"}, "name"},
	} {
		_, _, err := svc.Create(ctx, tt.p)
		e, ok := scanpay.ErrorOf(err)
		if !ok || e.Kind != scanpay.KindInvalid || e.Param != tt.param {
			t.Errorf("%+v: %v, want an invalid %s", tt.p, err, tt.param)
		}
	}
	var n int64
	if err := db.Table("merchants").Count(&n).Error; err != nil || n != 2 {
		t.Fatalf("%d merchants (%v), want the 2 good ones", n, err)
	}
	// At their longest, given forms are kept whole.
	m, _, err := svc.Create(ctx, merchant.CreateParams{Name: "蓝瓶咖啡", NameLatin: strings.Repeat("n", 25), City: "上海", CityLatin: strings.Repeat("c", 15)})
	if err != nil || len(m.NameLatin) != 25 || len(m.CityLatin) != 15 {
		t.Fatalf("longest Latin forms: %+v, %v", m, err)
	}
}
