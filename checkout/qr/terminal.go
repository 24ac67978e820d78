package qr

import "strings"

// Terminal colours: black foreground on bright white background, reset at
// the end of every line. Setting both colours, rather than printing plain
// blocks, makes the code read the same on a dark and a light terminal:
// plain blocks come out inverted on one of the two, and many phone scanners
// reject an inverted code.
const (
	termColours = "\x1b[30;107m"
	termReset   = "\x1b[0m"
)

// halfBlocks draws two vertically stacked modules in one character cell,
// indexed by top<<1 | bottom with 1 for dark. Two rows per line keeps the
// code roughly square, since a cell is about twice as tall as it is wide.
var halfBlocks = [4]string{" ", "▄", "▀", "█"}

// Terminal renders content for a terminal in half-block characters with ANSI
// colours, quiet zone included: one line per two rows of modules, one
// character per column, each line ending in "\n". A code always has an odd
// number of rows, so the bottom half of the last line is quiet zone.
func Terminal(content string) (string, error) {
	bits, err := modules(content)
	if err != nil {
		return "", err
	}
	n := len(bits)
	var b strings.Builder
	b.Grow((n + 1) / 2 * (len(termColours) + 3*n + len(termReset) + 1))
	for y := 0; y < n; y += 2 {
		b.WriteString(termColours)
		for x := range n {
			i := 0
			if bits[y][x] {
				i |= 2
			}
			if y+1 < n && bits[y+1][x] {
				i |= 1
			}
			b.WriteString(halfBlocks[i])
		}
		b.WriteString(termReset)
		b.WriteByte('\n')
	}
	return b.String(), nil
}
