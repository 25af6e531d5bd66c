package wire

import (
	"encoding/binary"
	"testing"
)

func TestReader(t *testing.T) {
	b := []byte{7}
	b = binary.AppendUvarint(b, 300)
	b = binary.AppendVarint(b, -5)
	b = binary.AppendUvarint(b, 2)
	b = append(b, 'h', 'i')
	r := NewReader(b)
	if r.Byte() != 7 || r.Uvarint() != 300 || r.Varint() != -5 || string(r.Bytes()) != "hi" || !r.OK() || r.Len() != 0 {
		t.Fatal("reading back what was written failed")
	}
	if r.Byte(); r.OK() {
		t.Error("reading past the end succeeded")
	}
	// A count larger than the input can hold fails at once.
	big := NewReader(binary.AppendUvarint(nil, 1<<40))
	if big.Count(1); big.OK() {
		t.Error("a count beyond the input succeeded")
	}
	trunc := NewReader([]byte{0x80})
	if trunc.Uvarint(); trunc.OK() {
		t.Error("a truncated varint succeeded")
	}
}
