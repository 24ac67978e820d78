package qr

import (
	"fmt"
	"testing"
)

// pixExample is the static Pix code from the Banco Central do Brasil
// manual, a payload written by someone else's encoder.
const pixExample = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"

// testURL is a URL-format payload as checkout issues it.
const testURL = "http://localhost:8080/q/0123456789abcdefghjk"

// sampleEMVCo fills every field Encode writes, with a non-ASCII template 64.
func sampleEMVCo() EMVCo {
	return EMVCo{
		PointOfInitiation: "12",
		MerchantAccount:   MerchantAccount{GUID: "io.scanpay", Code: "0123456789abcdefghjk"},
		MCC:               "5814",
		Currency:          "156",
		Amount:            "12.50",
		Country:           "CN",
		MerchantName:      "Blue Bottle Coffee",
		MerchantCity:      "Shanghai",
		ReferenceLabel:    "A-1001",
		AltLanguage:       AltLanguage{Language: "ZH", MerchantName: "蓝瓶咖啡", MerchantCity: "上海"},
	}
}

func mustEncode(tb testing.TB, p EMVCo) string {
	tb.Helper()
	s, err := p.Encode()
	if err != nil {
		tb.Fatalf("Encode: %v", err)
	}
	return s
}

// tlv writes one data object by hand, so tests can build payloads that
// Encode refuses to.
func tlv(id, value string) string { return fmt.Sprintf("%s%02d%s", id, len(value), value) }

// withCRC appends a correct data object 63 to body.
func withCRC(body string) string {
	body += "6304"
	return fmt.Sprintf("%s%04X", body, CRC16([]byte(body)))
}
