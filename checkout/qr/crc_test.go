package qr

import "testing"

func TestCRC16(t *testing.T) {
	tests := []struct {
		in   string
		want uint16
	}{
		{"", 0xFFFF},
		{"A", 0xB915},
		{"123456789", 0x29B1},
		{pixExample[:len(pixExample)-4], 0x1D3D},
	}
	for _, tt := range tests {
		if got := CRC16([]byte(tt.in)); got != tt.want {
			t.Errorf("CRC16(%q) = %04X, want %04X", tt.in, got, tt.want)
		}
	}
}
