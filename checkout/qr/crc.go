package qr

// crcTable holds the CRC of every byte value so CRC16 costs one lookup per
// input byte instead of eight shifts.
var crcTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

// CRC16 returns the CRC-16/CCITT-FALSE of data (polynomial 0x1021, initial
// value 0xFFFF, no reflection, no final XOR): the checksum EMVCo data object
// 63 carries, as ISO/IEC 13239 defines it.
func CRC16(data []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, b := range data {
		crc = crc<<8 ^ crcTable[byte(crc>>8)^b]
	}
	return crc
}
