package qr

import "unicode/utf8"

// EMVCo lengths count characters, not bytes: profiles that allow text
// outside ASCII (template 64 above all) say so in as many words, e.g.
// UnionPay International's "the length must be equal to the number of
// characters in the value, not the number of bytes", and the EMVCo MPM
// specification's own sample writes "0104最佳运输". Only the CRC is taken
// over bytes, the payload's UTF-8 encoding. For ASCII, both counts agree.

// walk calls visit for each ID-length-value data object of s, in order. It
// is the one reader for the payload and for every template inside it, so the
// same rules hold at each level: two-digit ID, two-digit length from 01 to
// 99 characters that stays inside s, and no ID twice. s must be valid UTF-8.
// parent is the template's ID, "" at the top level; it only names fields in
// errors, whose positions are byte offsets into s.
func walk(s, parent string, visit func(id, value string) error) error {
	var seen [100]bool
	for off := 0; off < len(s); {
		if len(s)-off < 4 {
			return formatError(parent, ErrTruncated, "data object header at byte %d is cut short", off)
		}
		id := s[off : off+2]
		tag, ok := twoDigits(id)
		if !ok {
			return formatError(parent, ErrInvalid, "data object ID %q at byte %d is not two digits", id, off)
		}
		n, ok := twoDigits(s[off+2 : off+4])
		switch {
		case !ok:
			return formatError(child(parent, id), ErrInvalid, "length %q is not two digits", s[off+2:off+4])
		case n == 0:
			return formatError(child(parent, id), ErrLength, "length is 00; a data object present must have a value")
		case seen[tag]:
			return formatError(child(parent, id), ErrInvalid, "appears more than once")
		}
		start := off + 4
		end, ok := skipChars(s, start, n)
		if !ok {
			return formatError(child(parent, id), ErrTruncated, "length %d runs past the end (%d characters left)", n, utf8.RuneCountInString(s[start:]))
		}
		seen[tag] = true
		if err := visit(id, s[start:end]); err != nil {
			return err
		}
		off = end
	}
	return nil
}

// skipChars returns the byte offset n characters after off in s, and false
// when s ends first.
func skipChars(s string, off, n int) (int, bool) {
	for ; n > 0; n-- {
		if off >= len(s) {
			return off, false
		}
		_, size := utf8.DecodeRuneInString(s[off:])
		off += size
	}
	return off, true
}

// child names a data object inside template parent, following FormatError's
// Field scheme.
func child(parent, id string) string {
	if parent == "" {
		return id
	}
	return parent + "." + id
}

func twoDigits(s string) (int, bool) {
	if !isDigit(s[0]) || !isDigit(s[1]) {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

// appendTLV appends one data object, or nothing for an empty value, which is
// how every optional field is left out. The value must be at most 99
// characters, which validate has checked.
func appendTLV(b []byte, id, value string) []byte {
	if value == "" {
		return b
	}
	return append(appendHeader(b, id, utf8.RuneCountInString(value)), value...)
}

func appendHeader(b []byte, id string, n int) []byte {
	return append(b, id[0], id[1], '0'+byte(n/10), '0'+byte(n%10))
}

// subField is one data object of a template being encoded.
type subField struct{ id, value string }

// appendTemplate appends a template holding subs, or nothing when every sub
// value is empty. Its length must be at most 99 characters (see
// templateLen).
func appendTemplate(b []byte, id string, subs ...subField) []byte {
	n := templateLen(subs...)
	if n == 0 {
		return b
	}
	b = appendHeader(b, id, n)
	for _, f := range subs {
		b = appendTLV(b, f.id, f.value)
	}
	return b
}

// templateLen is the length in characters of the template appendTemplate
// would write for subs.
func templateLen(subs ...subField) int {
	n := 0
	for _, f := range subs {
		if f.value != "" {
			n += 4 + utf8.RuneCountInString(f.value)
		}
	}
	return n
}
