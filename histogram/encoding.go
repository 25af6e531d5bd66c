package histogram

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// HdrHistogram's V2 encoding. The compressed form is a cookie, the length of
// a zlib stream, and the stream; inside it, a 40-byte header and the counts
// as ZigZag LEB128 varints, a negative varint standing for a run of that
// many empty buckets. The low nibble of the cookies' third byte carries a
// word-size hint that readers mask off.
const (
	encodingCookie   = 0x1c849303
	compressedCookie = 0x1c849304
	cookieHint       = 0x10
	headerSize       = 40
	compressedHeader = 8

	// maxDecodedCountsLen bounds the layouts Decode accepts (8 MiB of
	// counts): 1 ns to an hour at 4 digits fits, 5 digits over a wide
	// range does not.
	maxDecodedCountsLen = 1 << 20
)

// Encode returns the snapshot in HdrHistogram's standard V2 compressed
// format, which the HdrHistogram libraries (Java, C, Go, …) decode. Values
// are nanoseconds. Underflow, Overflow, Invalid and Saturated have no place
// in the format and are not written; the clamped values themselves are in
// the counts. For a histogram log line, encode the bytes in base64.
func (s *Snapshot) Encode() []byte {
	var payload []byte
	if s.base > 1 {
		payload = appendVarint(payload, zigzag(-int64(s.base)))
	} else if s.base == 1 {
		payload = appendVarint(payload, 0)
	}
	for i := 0; i < len(s.counts); {
		if s.counts[i] != 0 {
			payload = appendVarint(payload, zigzag(int64(min(s.counts[i], math.MaxInt64))))
			i++
			continue
		}
		run := 1
		for i+run < len(s.counts) && s.counts[i+run] == 0 {
			run++
		}
		if run == 1 {
			payload = appendVarint(payload, 0)
		} else {
			payload = appendVarint(payload, zigzag(-int64(run)))
		}
		i += run
	}
	inner := make([]byte, headerSize, headerSize+len(payload))
	binary.BigEndian.PutUint32(inner[0:], encodingCookie|cookieHint)
	binary.BigEndian.PutUint32(inner[4:], uint32(len(payload)))
	binary.BigEndian.PutUint32(inner[8:], 0) // normalizing index offset
	binary.BigEndian.PutUint32(inner[12:], uint32(s.lay.digits))
	binary.BigEndian.PutUint64(inner[16:], uint64(s.lay.lowest))
	binary.BigEndian.PutUint64(inner[24:], uint64(s.lay.highest))
	binary.BigEndian.PutUint64(inner[32:], math.Float64bits(1))
	inner = append(inner, payload...)

	var z bytes.Buffer
	z.Write(make([]byte, compressedHeader))
	w := zlib.NewWriter(&z)
	w.Write(inner) // writes to a bytes.Buffer do not fail
	w.Close()
	out := z.Bytes()
	binary.BigEndian.PutUint32(out[0:], compressedCookie|cookieHint)
	binary.BigEndian.PutUint32(out[4:], uint32(len(out)-compressedHeader))
	return out
}

// appendVarint appends u as HdrHistogram's LEB128 varint: 7 bits a byte,
// low bits first, at most 9 bytes, the ninth carrying a full 8 bits.
func appendVarint(b []byte, u uint64) []byte {
	for range 8 {
		if u < 0x80 {
			return append(b, byte(u))
		}
		b = append(b, byte(u)|0x80)
		u >>= 7
	}
	return append(b, byte(u))
}

// ZigZag maps small negative and positive numbers to small unsigned ones.
func zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }

func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// readVarint reads one HdrHistogram LEB128 varint (at most 9 bytes).
func readVarint(b []byte) (uint64, int, error) {
	var v uint64
	for k := 0; k < 9; k++ {
		if k >= len(b) {
			return 0, 0, fmt.Errorf("%w: truncated varint", ErrCorrupt)
		}
		if k == 8 {
			return v | uint64(b[k])<<56, 9, nil
		}
		v |= uint64(b[k]&0x7f) << (7 * k)
		if b[k]&0x80 == 0 {
			return v, k + 1, nil
		}
	}
	panic("unreachable")
}

// Decode reads a histogram in HdrHistogram's V2 compressed format — the
// bytes Encode returns, or their base64 form as in histogram log files —
// written by nines or by any HdrHistogram library. Values are taken as
// nanoseconds; the header's normalizing index offset is ignored, as writers
// serialize counts in logical order. Anything else — truncated, corrupted or
// foreign bytes, a DoubleHistogram (conversion ratio other than 1), a
// layout of more than 1 Mi buckets — fails with an error wrapping
// [ErrCorrupt]. Decode never panics and allocates at most 8 MiB for the
// counts, whatever a header claims.
func Decode(data []byte) (*Snapshot, error) {
	if !hasCookie(data, compressedCookie) {
		raw, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(data)))
		if err != nil || !hasCookie(raw, compressedCookie) {
			return nil, fmt.Errorf("%w: not an HdrHistogram V2 compressed histogram", ErrCorrupt)
		}
		data = raw
	}
	if len(data) < compressedHeader {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the header", ErrCorrupt, len(data))
	}
	n := int64(int32(binary.BigEndian.Uint32(data[4:])))
	if n < 0 || n > int64(len(data)-compressedHeader) {
		return nil, fmt.Errorf("%w: compressed length %d, %d bytes present", ErrCorrupt, n, len(data)-compressedHeader)
	}
	z, err := zlib.NewReader(bytes.NewReader(data[compressedHeader : compressedHeader+n]))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	defer z.Close()

	var h [headerSize]byte
	if _, err := io.ReadFull(z, h[:]); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	if !hasCookie(h[:], encodingCookie) {
		return nil, fmt.Errorf("%w: inner cookie %#x", ErrCorrupt, binary.BigEndian.Uint32(h[:]))
	}
	payloadLen := int64(int32(binary.BigEndian.Uint32(h[4:])))
	digits := int32(binary.BigEndian.Uint32(h[12:]))
	lowest := int64(binary.BigEndian.Uint64(h[16:]))
	highest := int64(binary.BigEndian.Uint64(h[24:]))
	if lowest < 1 {
		lowest = 1 // older writers put 0 here for a unit of 1
	}
	// The JavaScript port writes the ratio as the integer 1, not the
	// double 1.0: both mean an integer histogram.
	if bits := binary.BigEndian.Uint64(h[32:]); bits != 1 && math.Float64frombits(bits) != 1 && bits != 0 {
		ratio := math.Float64frombits(bits)
		return nil, fmt.Errorf("%w: value conversion ratio %v: only integer histograms (ratio 1) are read", ErrCorrupt, ratio)
	}
	lay, err := newLayout(lowest, highest, digits)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if lay.countsLen > maxDecodedCountsLen {
		return nil, fmt.Errorf("%w: %d buckets, more than the %d this package decodes", ErrCorrupt, lay.countsLen, maxDecodedCountsLen)
	}
	if payloadLen < 0 || payloadLen > int64(lay.countsLen)*9 {
		return nil, fmt.Errorf("%w: payload length %d for %d buckets", ErrCorrupt, payloadLen, lay.countsLen)
	}
	// Read what is there, up to one byte more than declared: a short or long
	// payload is corrupt, and reading to the end checks zlib's checksum.
	var payload bytes.Buffer
	if _, err := io.Copy(&payload, io.LimitReader(z, payloadLen+1)); err != nil {
		return nil, fmt.Errorf("%w: payload: %v", ErrCorrupt, err)
	}
	if int64(payload.Len()) != payloadLen {
		return nil, fmt.Errorf("%w: payload of %d bytes, header says %d", ErrCorrupt, payload.Len(), payloadLen)
	}
	if _, err := z.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: zlib stream does not end after the payload: %v", ErrCorrupt, err)
	}

	var counts []uint64
	var total uint64
	b := payload.Bytes()
	for idx := 0; len(b) > 0; {
		u, k, err := readVarint(b)
		if err != nil {
			return nil, err
		}
		b = b[k:]
		v := unzigzag(u)
		if v < 0 {
			if v == math.MinInt64 || -v > int64(lay.countsLen-idx) {
				return nil, fmt.Errorf("%w: run of %d empty buckets at bucket %d of %d", ErrCorrupt, -v, idx, lay.countsLen)
			}
			idx += int(-v)
			continue
		}
		if idx >= lay.countsLen {
			return nil, fmt.Errorf("%w: count beyond the last bucket %d", ErrCorrupt, lay.countsLen)
		}
		if v > 0 {
			if total+uint64(v) < total {
				return nil, fmt.Errorf("%w: counts overflow", ErrCorrupt)
			}
			total += uint64(v)
			if len(counts) <= idx {
				counts = append(counts, make([]uint64, idx+1-len(counts))...)
			}
			counts[idx] = uint64(v)
		}
		idx++
	}
	return newSnapshot(lay, counts, 0), nil
}

func hasCookie(b []byte, cookie uint32) bool {
	return len(b) >= 4 && binary.BigEndian.Uint32(b)&^0xf0 == cookie
}
