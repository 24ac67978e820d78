package qr

import (
	"fmt"
	"testing"
	"unicode/utf8"
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

// specExample is the sample payload of the EMVCo MPM specification
// (version 1.0, appendix A): a UnionPay-style code from someone else's
// encoder, with its data objects out of ID order, other schemes' accounts
// (29, 31), a tip indicator (55), an unreserved template (91) and no
// template 26. Its template 64 counts characters ("0104最佳运输" is four of
// them, twelve bytes), and its CRC A13A is over the UTF-8 bytes.
const specExample = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A"

// tlv writes one data object by hand, with its length in characters, so
// tests can build payloads that Encode refuses to.
func tlv(id, value string) string {
	return fmt.Sprintf("%s%02d%s", id, utf8.RuneCountInString(value), value)
}

// withCRC appends a correct data object 63 to body.
func withCRC(body string) string {
	body += "6304"
	return fmt.Sprintf("%s%04X", body, CRC16([]byte(body)))
}
