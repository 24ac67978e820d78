package qr

import "strconv"

// SVG renders content as a black-on-white SVG, quiet zone included, one user
// unit per module. It has a viewBox and no width or height, so it fills
// whatever box the page gives it. Each run of dark modules in a row is one
// rectangle in a single path, which keeps the file a few kilobytes, and
// crispEdges stops anti-aliasing from blurring the seams between rows.
func SVG(content string) ([]byte, error) {
	bits, err := modules(content)
	if err != nil {
		return nil, err
	}
	n := strconv.Itoa(len(bits))
	b := make([]byte, 0, 4096)
	b = append(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 `+n+" "+n+
		`" shape-rendering="crispEdges"><rect width="`+n+`" height="`+n+
		`" fill="#fff"/><path fill="#000" d="`...)
	for y, row := range bits {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			// M x y h w v1 h -w z: the run's outline, clockwise.
			b = append(b, 'M')
			b = strconv.AppendInt(b, int64(start), 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(y), 10)
			b = append(b, 'h')
			b = strconv.AppendInt(b, int64(x-start), 10)
			b = append(b, "v1h-"...)
			b = strconv.AppendInt(b, int64(x-start), 10)
			b = append(b, 'z')
		}
	}
	b = append(b, "\"/></svg>\n"...)
	return b, nil
}
