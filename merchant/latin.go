package merchant

import (
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/unicode/norm"
)

// Lengths of the Latin forms: what EMVCo data objects 59 (merchant name)
// and 60 (merchant city) hold.
const (
	MaxNameLatin = 25
	MaxCityLatin = 15
)

var pinyinArgs = pinyin.NewArgs()

// Latin transliterates s for the EMVCo fields that take printable ASCII
// only, so a payer whose wallet shows those reads a name, never a
// placeholder: Chinese characters become pinyin without tones, each run of
// them one capitalised word ("上海" → "Shanghai", "蓝瓶咖啡" →
// "Lanpingkafei"), letters lose their accents ("Café" → "Cafe"), full-width
// forms become ASCII, and whatever else (kana, hangul, symbols) separates
// words. The result is cut to max bytes; it is "" when nothing of s is
// left, and then the merchant must give a Latin form itself.
//
// Pinyin comes character by character, so a character with two readings
// takes its commonest one ("重庆" → "Zhongqing", not "Chongqing"): the
// merchant sees the result and can give its own (--name-latin,
// --city-latin).
func Latin(s string, max int) string {
	var b strings.Builder
	inHan := false // the last thing written was pinyin
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r): // an accent split off its letter
		case unicode.Is(unicode.Han, r):
			py := pinyin.SinglePinyin(r, pinyinArgs)
			if len(py) == 0 {
				b.WriteByte(' ')
				inHan = false
				continue
			}
			syllable := py[0]
			if !inHan {
				b.WriteByte(' ')
				syllable = strings.ToUpper(syllable[:1]) + syllable[1:]
			}
			b.WriteString(syllable)
			inHan = true
		case r >= ' ' && r <= '~':
			if inHan {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			inHan = false
		default:
			b.WriteByte(' ')
			inHan = false
		}
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	if len(out) > max {
		out = strings.TrimSpace(out[:max])
	}
	return out
}
