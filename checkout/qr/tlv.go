package qr

// walk calls visit for each ID-length-value data object of s, in order. It
// is the one reader for the payload and for every template inside it, so the
// same rules hold at each level: two-digit ID, two-digit length from 01 to
// 99 that stays inside s, and no ID twice. parent is the template's ID, ""
// at the top level; it only names fields in errors.
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
		case n > len(s)-off-4:
			return formatError(child(parent, id), ErrTruncated, "length %d runs past the end (%d bytes left)", n, len(s)-off-4)
		case seen[tag]:
			return formatError(child(parent, id), ErrInvalid, "appears more than once")
		}
		seen[tag] = true
		if err := visit(id, s[off+4:off+4+n]); err != nil {
			return err
		}
		off += 4 + n
	}
	return nil
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
// how every optional field is left out. The value must be at most 99 bytes,
// which validate has checked.
func appendTLV(b []byte, id, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, id[0], id[1], '0'+byte(len(value)/10), '0'+byte(len(value)%10))
	return append(b, value...)
}

// subField is one data object of a template being encoded.
type subField struct{ id, value string }

// appendTemplate appends a template holding subs, or nothing when every sub
// value is empty. Its length must be at most 99 bytes (see templateLen).
func appendTemplate(b []byte, id string, subs ...subField) []byte {
	start := len(b)
	b = append(b, id[0], id[1], '0', '0')
	for _, f := range subs {
		b = appendTLV(b, f.id, f.value)
	}
	n := len(b) - start - 4
	if n == 0 {
		return b[:start]
	}
	b[start+2], b[start+3] = '0'+byte(n/10), '0'+byte(n%10)
	return b
}

// templateLen is the length of the template appendTemplate would write for
// these values.
func templateLen(values ...string) int {
	n := 0
	for _, v := range values {
		if v != "" {
			n += 4 + len(v)
		}
	}
	return n
}
