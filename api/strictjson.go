package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/jkngate/jkngate/api/httperr"
	"github.com/jkngate/jkngate/gate"
)

// Limits every JSON body is checked against before it is decoded.
const (
	// maxJSONDepth bounds nesting; no body of ours is deeper than 4.
	maxJSONDepth = 16
	// maxJSONArray bounds every array: no list in any body may be longer
	// (workers, the longest, allows gate.MaxListedWorkers).
	maxJSONArray = gate.MaxListedWorkers
	// smallObject is how many keys an object may have before duplicates
	// are found with a map rather than by comparing each pair.
	smallObject = 16
)

// jsonShape is what checkJSON learned about a body besides its being
// strict JSON.
type jsonShape struct {
	// foldedKeys is set when some key has an upper-case or a non-ASCII
	// letter: no key of ours has, and encoding/json's struct decoding
	// would match it to one of ours without regard to case ("NIB", or
	// "\u212abli" with a Kelvin sign), so such a body must not take that
	// path.
	foldedKeys bool
}

// jsonLimitError is an array longer than maxJSONArray, at path.
type jsonLimitError struct{ path string }

func (e *jsonLimitError) Error() string {
	return fmt.Sprintf("%s must list at most %d entries", e.path, maxJSONArray)
}

// checkJSON is the strict reading every request body gets before
// encoding/json, which is lenient where a record needs strictness: it
// keeps the last of duplicate keys, turns invalid UTF-8 and lone UTF-16
// surrogates into U+FFFD, and accepts any nesting and any array length.
// checkJSON refuses all of those. Its error is a malformed_json
// *gate.Error, or a *jsonLimitError for an array over maxJSONArray (which
// the caller names as a field of its own kind of error).
func checkJSON(body []byte) (jsonShape, error) {
	s := jsonScanner{b: body}
	s.space()
	err := s.value(0)
	if err == nil {
		if s.space(); s.i < len(s.b) {
			err = s.fail("data after the JSON value")
		}
	}
	return jsonShape{foldedKeys: s.folded}, err
}

type jsonScanner struct {
	b      []byte
	i      int
	folded bool
	path   []pathPart // where the scanner is, for a jsonLimitError
}

type pathPart struct {
	key   []byte
	index int // -1 in an object
}

func (s *jsonScanner) fail(what string) error {
	return &gate.Error{Kind: gate.KindInvalid, Code: httperr.CodeMalformedJSON,
		Message: fmt.Sprintf("the body is not valid JSON: %s at offset %d", what, s.i)}
}

func (s *jsonScanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *jsonScanner) value(depth int) error {
	if s.i >= len(s.b) {
		return s.fail("unexpected end")
	}
	switch c := s.b[s.i]; {
	case c == '{' || c == '[':
		if depth >= maxJSONDepth {
			return s.fail(fmt.Sprintf("nesting deeper than %d", maxJSONDepth))
		}
		if c == '{' {
			return s.object(depth + 1)
		}
		return s.array(depth + 1)
	case c == '"':
		_, err := s.str()
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	default:
		return s.number()
	}
}

func (s *jsonScanner) literal(lit string) error {
	if !bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
		return s.fail("invalid literal")
	}
	s.i += len(lit)
	return nil
}

func (s *jsonScanner) digits() int {
	n := 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
		n++
	}
	return n
}

func (s *jsonScanner) number() error {
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.digits() == 0:
		return s.fail("invalid character")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return s.fail("invalid number")
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return s.fail("invalid number")
		}
	}
	return nil
}

// str scans a string and returns its content as decoded text when it had
// escapes, else as the body's own bytes.
func (s *jsonScanner) str() ([]byte, error) {
	s.i++ // the opening quote
	start, escaped := s.i, false
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw := s.b[start:s.i]
			s.i++
			if !escaped {
				return raw, nil
			}
			var text string
			if err := json.Unmarshal(s.b[start-1:s.i], &text); err != nil {
				return nil, s.fail("invalid string")
			}
			return []byte(text), nil
		case c < 0x20:
			return nil, s.fail("control character in a string")
		case c == '\\':
			escaped = true
			if err := s.escape(); err != nil {
				return nil, err
			}
		case c < utf8.RuneSelf:
			s.i++
		default:
			r, size := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && size == 1 {
				return nil, s.fail("invalid UTF-8")
			}
			s.i += size
		}
	}
	return nil, s.fail("unterminated string")
}

// escape scans one escape sequence; a UTF-16 surrogate must come as a
// high-low pair.
func (s *jsonScanner) escape() error {
	if s.i+1 >= len(s.b) {
		return s.fail("unterminated string")
	}
	if s.b[s.i+1] != 'u' {
		if !strings.ContainsRune(`"\/bfnrt`, rune(s.b[s.i+1])) {
			return s.fail("invalid escape")
		}
		s.i += 2
		return nil
	}
	r, ok := s.hex4(s.i + 2)
	if !ok {
		return s.fail("invalid \\u escape")
	}
	s.i += 6
	switch {
	case r >= 0xdc00 && r <= 0xdfff:
		return s.fail("lone UTF-16 surrogate")
	case r >= 0xd800 && r <= 0xdbff:
		if s.i+1 >= len(s.b) || s.b[s.i] != '\\' || s.b[s.i+1] != 'u' {
			return s.fail("lone UTF-16 surrogate")
		}
		low, ok := s.hex4(s.i + 2)
		if !ok || utf16.DecodeRune(r, low) == utf8.RuneError {
			return s.fail("lone UTF-16 surrogate")
		}
		s.i += 6
	}
	return nil
}

func (s *jsonScanner) hex4(at int) (rune, bool) {
	if at+4 > len(s.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(s.b[at:at+4]), 16, 16)
	return rune(n), err == nil
}

func (s *jsonScanner) object(depth int) error {
	if s.open('}') {
		return nil
	}
	var keys [][]byte
	var many map[string]bool
	s.path = append(s.path, pathPart{index: -1})
	for {
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return s.fail("expected a key")
		}
		at := s.i
		key, err := s.str()
		if err != nil {
			return err
		}
		if bytes.ContainsFunc(key, func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= utf8.RuneSelf }) {
			s.folded = true
		}
		if many == nil && len(keys) == smallObject {
			many = make(map[string]bool, 2*smallObject)
			for _, k := range keys {
				many[string(k)] = true
			}
		}
		dup := false
		if many != nil {
			dup = many[string(key)]
			many[string(key)] = true
		} else {
			dup = containsKey(keys, key)
			keys = append(keys, key)
		}
		if dup {
			s.i = at
			return s.fail("duplicate key " + strconv.QuoteToASCII(truncate(string(key), 64)))
		}
		s.path[len(s.path)-1].key = key
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return s.fail("expected a colon")
		}
		s.i++
		s.space()
		if more, err := s.member(depth, '}', "brace"); !more {
			return err
		}
	}
}

func containsKey(keys [][]byte, key []byte) bool {
	for _, k := range keys {
		if bytes.Equal(k, key) {
			return true
		}
	}
	return false
}

func (s *jsonScanner) array(depth int) error {
	if s.open(']') {
		return nil
	}
	s.path = append(s.path, pathPart{})
	for n := 0; ; n++ {
		if n == maxJSONArray {
			return &jsonLimitError{path: s.pathString()}
		}
		s.path[len(s.path)-1].index = n
		if more, err := s.member(depth, ']', "bracket"); !more {
			return err
		}
	}
}

// open steps past an object's or array's opening character and the
// blank after it, and reports whether close follows at once: an empty
// container, which it steps past too.
func (s *jsonScanner) open(close byte) bool {
	s.i++
	s.space()
	if s.i < len(s.b) && s.b[s.i] == close {
		s.i++
		return true
	}
	return false
}

// member scans one member's value and what follows it, the same in an
// object and an array: after a comma it reports more; after close it
// leaves the container's path part and reports no more with a nil
// error; after anything else it fails, naming the closing character.
func (s *jsonScanner) member(depth int, close byte, closeName string) (more bool, err error) {
	if err := s.value(depth); err != nil {
		return false, err
	}
	s.space()
	if s.i < len(s.b) && s.b[s.i] == ',' {
		s.i++
		s.space()
		return true, nil
	}
	if s.i < len(s.b) && s.b[s.i] == close {
		s.i++
		s.path = s.path[:len(s.path)-1]
		return false, nil
	}
	return false, s.fail("expected a comma or a closing " + closeName)
}

// pathString is the path of the array being scanned ("data.kbli"), in
// the form field errors use.
func (s *jsonScanner) pathString() string {
	var b strings.Builder
	for i, p := range s.path[:len(s.path)-1] {
		if p.index >= 0 {
			fmt.Fprintf(&b, "[%d]", p.index)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.QuoteToASCII(truncate(string(p.key), 64)))
	}
	path := b.String()
	if path == "" {
		return "(body)"
	}
	return strings.ReplaceAll(path, `"`, "")
}
