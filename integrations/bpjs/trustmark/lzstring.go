package trustmark

import (
	"errors"
	"strings"
	"unicode/utf16"
)

// This file ports pieroxy's lz-string (1.4.x), the compression BPJS applies
// to every response before encrypting it. It works on UTF-16 code units, as
// JavaScript strings do, so that the bit stream is identical to the one the
// JS library produces for any input, including characters outside the BMP.

// uriAlphabet is lz-string's keyStrUriSafe: 6 bits per output character.
// Its 65th character, '$', is never written; like JS, the reader takes it
// as value 64, whose low six bits are all zero.
const uriAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$"

// errLZ is wrapped by every decompression error.
var errLZ = errors.New("trustmark: invalid lz-string data")

// uriValue maps a byte of uriAlphabet to its 6-bit value; -1 marks bytes that
// are not in the alphabet.
var uriValue = func() [256]int8 {
	var v [256]int8
	for i := range v {
		v[i] = -1
	}
	for i := 0; i < len(uriAlphabet); i++ {
		v[uriAlphabet[i]] = int8(i)
	}
	return v
}()

// bitWriter packs values into 6-bit characters, most significant bit first,
// exactly as lz-string's context_data_val/context_data_position pair does.
type bitWriter struct {
	out      strings.Builder
	val      int
	position int
}

func (w *bitWriter) bit(b int) {
	w.val = w.val<<1 | b
	if w.position == 5 {
		w.out.WriteByte(uriAlphabet[w.val])
		w.position, w.val = 0, 0
		return
	}
	w.position++
}

// bits writes the n low bits of value, least significant bit first, which
// is the order lz-string uses for codes and literals.
func (w *bitWriter) bits(value, n int) {
	for range n {
		w.bit(value & 1)
		value >>= 1
	}
}

// trieKey names a dictionary entry by its prefix's code and its last unit,
// which is what the JS string-keyed dictionary amounts to.
type trieKey struct {
	prefix int
	unit   uint16
}

// CompressToEncodedURIComponent compresses s like lz-string's
// compressToEncodedURIComponent. s is taken as UTF-8 and converted to UTF-16
// code units first; invalid UTF-8 bytes become U+FFFD. The empty string
// compresses to "Q", as in JS.
func CompressToEncodedURIComponent(s string) string {
	units := utf16.Encode([]rune(s))
	var (
		w           bitWriter
		singles     = map[uint16]int{}  // one-unit entries
		longer      = map[trieKey]int{} // entries of two units or more
		pending     = map[uint16]bool{} // single units not yet sent as literals
		enlargeIn   = 2                 // compensates for the first entry, as in JS
		dictSize    = 3
		numBits     = 2
		wCode       = -1 // code of the current phrase w; -1 while w is ""
		wSingle     bool // w is one unit long (only then can it be pending)
		wUnit       uint16
		countOutput = func() {
			enlargeIn--
			if enlargeIn == 0 {
				enlargeIn = 1 << numBits
				numBits++
			}
		}
	)
	// emit outputs the code for w, or its literal when w is a unit not yet
	// sent; the double countOutput for literals mirrors the JS original.
	emit := func() {
		if wSingle && pending[wUnit] {
			if wUnit < 256 {
				w.bits(0, numBits)
				w.bits(int(wUnit), 8)
			} else {
				w.bits(1, numBits)
				w.bits(int(wUnit), 16)
			}
			countOutput()
			delete(pending, wUnit)
		} else {
			w.bits(wCode, numBits)
		}
		countOutput()
	}

	for _, c := range units {
		if _, ok := singles[c]; !ok {
			singles[c] = dictSize
			dictSize++
			pending[c] = true
		}
		if wCode < 0 {
			wCode, wSingle, wUnit = singles[c], true, c
			continue
		}
		if code, ok := longer[trieKey{wCode, c}]; ok {
			wCode, wSingle = code, false
			continue
		}
		emit()
		longer[trieKey{wCode, c}] = dictSize
		dictSize++
		wCode, wSingle, wUnit = singles[c], true, c
	}
	if wCode >= 0 {
		emit()
	}
	w.bits(2, numBits) // end of stream
	// Flush: pad with zero bits until the last character is written; like
	// JS, this writes a whole padding character when the stream ended on a
	// character boundary.
	for {
		w.val <<= 1
		if w.position == 5 {
			w.out.WriteByte(uriAlphabet[w.val])
			break
		}
		w.position++
	}
	return w.out.String()
}

// bitReader reads 6-bit characters back, reporting truncation and foreign
// characters instead of reading zeros as JS does.
type bitReader struct {
	in       string
	index    int // index of the character being read
	position int // mask of the next bit in that character
	val      int
}

func (r *bitReader) bits(n int) (int, error) {
	result := 0
	for i := range n {
		if r.position == 0 {
			if r.index >= len(r.in) {
				return 0, errors.Join(errLZ, errors.New("truncated stream"))
			}
			v := uriValue[r.in[r.index]]
			if v < 0 {
				return 0, errors.Join(errLZ, errors.New("character outside the URI-safe alphabet"))
			}
			r.val, r.position = int(v), 32
			r.index++
		}
		if r.val&r.position != 0 {
			result |= 1 << i
		}
		r.position >>= 1
	}
	return result, nil
}

// maxDecompressed bounds the output in UTF-16 code units. A crafted stream
// can make each code one unit longer than the last, so without a bound a
// small input could decompress to gigabytes; BPJS answers are kilobytes.
const maxDecompressed = 1 << 23

// span locates a dictionary entry in the output decoded so far: in LZW every
// entry is a run of the output, so there is no need to copy it.
type span struct{ off, n int }

// DecompressFromEncodedURIComponent reverses CompressToEncodedURIComponent,
// like lz-string's decompressFromEncodedURIComponent (spaces are read as
// '+', as there). Where JS would return null or "" for broken input (the
// empty string, a character outside the alphabet, a truncated stream, a
// code that is not in the dictionary), it returns an error wrapping a
// sentinel for invalid lz-string data, as it does for output over 8 Mi code
// units; it never panics. Lone surrogates in the decoded UTF-16 become
// U+FFFD.
func DecompressFromEncodedURIComponent(s string) (string, error) {
	if s == "" {
		return "", errors.Join(errLZ, errors.New("empty input"))
	}
	r := &bitReader{in: strings.ReplaceAll(s, " ", "+")}
	var (
		result []uint16
		dict   []span // entries from code 3 on; 0, 1 and 2 are markers
	)
	// literal reads a literal of 8 (kind 0) or 16 (kind 1) bits, appends it
	// to the output and the dictionary, and returns its place.
	literal := func(kind int) (span, error) {
		n := 8
		if kind == 1 {
			n = 16
		}
		v, err := r.bits(n)
		if err != nil {
			return span{}, err
		}
		sp := span{len(result), 1}
		result = append(result, uint16(v))
		dict = append(dict, sp)
		return sp, nil
	}

	first, err := r.bits(2)
	if err != nil {
		return "", err
	}
	switch first {
	case 2:
		return "", nil
	case 3:
		return "", errors.Join(errLZ, errors.New("bad first code"))
	}
	w, err := literal(first)
	if err != nil {
		return "", err
	}
	enlargeIn, numBits := 4, 3

	for {
		c, err := r.bits(numBits)
		if err != nil {
			return "", err
		}
		var entry span
		switch c {
		case 0, 1:
			// JS adds the literal to the dictionary, then looks it up as
			// the entry; literal has already put it in the output.
			if entry, err = literal(c); err != nil {
				return "", err
			}
			enlargeIn--
		case 2:
			return string(utf16.Decode(result)), nil
		}
		if enlargeIn == 0 {
			enlargeIn = 1 << numBits
			numBits++
		}

		switch dictSize := len(dict) + 3; {
		case c <= 1:
			// literal, already written
		case c < dictSize:
			e := dict[c-3]
			if len(result)+e.n > maxDecompressed {
				return "", errors.Join(errLZ, errors.New("output too large"))
			}
			entry = span{len(result), e.n}
			result = append(result, result[e.off:e.off+e.n]...)
		case c == dictSize:
			if len(result)+w.n+1 > maxDecompressed {
				return "", errors.Join(errLZ, errors.New("output too large"))
			}
			entry = span{len(result), w.n + 1}
			result = append(result, result[w.off:w.off+w.n]...)
			result = append(result, result[w.off])
		default:
			return "", errors.Join(errLZ, errors.New("code not in dictionary"))
		}

		// w + entry[0]: w was written just before entry, so this is a run.
		dict = append(dict, span{w.off, w.n + 1})
		enlargeIn--
		w = entry
		if enlargeIn == 0 {
			enlargeIn = 1 << numBits
			numBits++
		}
	}
}
