package gate

import (
	"fmt"
	"unicode/utf8"
)

// Bounds on numbers and lists that come from outside (the licensing
// system, BPJS, imported files). A number past its bound is refused where
// it enters, so that no arithmetic on it can overflow or flip an outcome,
// and so that every store accepts and refuses exactly the same values.
const (
	// MaxDeclaredWorkers bounds declared_workers: no employer in Indonesia
	// comes near ten million workers, and the coverage arithmetic stays
	// far inside int64 (and inside PostgreSQL's int4) below it.
	MaxDeclaredWorkers = 10_000_000
	// MaxKBLICodes bounds the KBLI codes one application may list.
	MaxKBLICodes = 100
	// MaxFieldErrors is how many field errors one error lists; the rest
	// are only counted, so that a hostile body cannot make a huge answer.
	MaxFieldErrors = 50
	// MaxWebhookIDLength bounds a webhook-id header (printable ASCII).
	MaxWebhookIDLength = 256
	// MaxEmployerWorkers bounds BPJS's registered and active worker counts.
	MaxEmployerWorkers = MaxDeclaredWorkers
	// MaxArrearsMonths bounds BPJS's arrears months: a century.
	MaxArrearsMonths = 1200
	// MaxArrearsAmount bounds BPJS's arrears amount in rupiah (a
	// thousand trillion), far beyond any employer's debt.
	MaxArrearsAmount = 1_000_000_000_000_000
)

// CheckWebhookID returns nil for a valid webhook-id (ValidWebhookID), else
// a KindInvalid *Error with code invalid_webhook_id whose message never
// repeats the id. The webhook handler and Submit both use it, so the answer
// is the same wherever the id is refused.
func CheckWebhookID(id string) error {
	if ValidWebhookID(id) {
		return nil
	}
	return &Error{Kind: KindInvalid, Code: CodeInvalidWebhookID,
		Message: "the webhook-id must be 1 to 256 characters of printable ASCII"}
}

// coverageScale is the fixed-point scale of coverage ratios: coverage is
// counted in millionths, so that declared x coverage is integer-exact.
const coverageScale = 1_000_000

// RequiredWorkers is how many of the declared workers must be actively
// registered under the policy: declared x coverage, rounded up. The
// arithmetic is integer-exact in millionths of coverage (100 x 0.07 is 7,
// not 8), and its inputs are clamped to their valid ranges (declared to
// 0..MaxDeclaredWorkers, coverage to 0..1) so that it can never overflow.
func RequiredWorkers(declared int, coverage float64) int {
	d := int64(min(max(declared, 0), MaxDeclaredWorkers))
	var ppm int64 // NaN stays 0; Policy.Validate refuses it anyway
	switch {
	case coverage >= 1:
		ppm = coverageScale
	case coverage > 0:
		ppm = int64(coverage*coverageScale + 0.5)
	}
	return int((d*ppm + coverageScale - 1) / coverageScale)
}

// ValidWebhookID reports whether id may be a webhook-id: 1 to
// MaxWebhookIDLength characters of printable ASCII (space excluded).
func ValidWebhookID(id string) bool {
	if id == "" || len(id) > MaxWebhookIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] >= 0x7f {
			return false
		}
	}
	return true
}

// TextProblem says what is wrong with free text from outside (ids, names,
// URLs, notes), or returns "": it must be valid UTF-8 without control
// characters (C0, DEL, C1), bidirectional controls (which can make a
// record read differently from what it is, in a CSV export or a console),
// zero-width characters, or U+FFFD (the mark of a decoding repair). If
// allowNewlines, \n, \r and \t pass.
func TextProblem(s string, allowNewlines bool) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	for _, r := range s {
		switch {
		case allowNewlines && (r == '\n' || r == '\r' || r == '\t'):
		case isControl(r):
			return "must not contain control characters"
		case IsInvisibleFormat(r):
			return "must not contain bidirectional-control or zero-width characters"
		case r == utf8.RuneError:
			return "must not contain U+FFFD (a replaced, undecodable character)"
		}
	}
	return ""
}

// IsInvisibleFormat reports whether r is a bidirectional control or a
// zero-width character: text that changes how other text displays
// without showing itself.
func IsInvisibleFormat(r rune) bool {
	switch {
	case r >= 0x200b && r <= 0x200f, // zero-width space, ZWNJ, ZWJ, LRM, RLM
		r >= 0x202a && r <= 0x202e, // LRE, RLE, PDF, LRO, RLO
		r >= 0x2060 && r <= 0x2064, // word joiner, invisible operators
		r >= 0x2066 && r <= 0x2069, // LRI, RLI, FSI, PDI
		r == 0x061c, r == 0x180e, r == 0xfeff, r == 0x00ad:
		return true
	}
	return false
}

// CheckBounds reports an error when BPJS's employer record carries a
// number outside its plausible range (negative counts, more workers than
// MaxEmployerWorkers, arrears past MaxArrearsMonths or MaxArrearsAmount).
// Such a record is not trusted for a decision: the adapter treats it as a
// bad answer, which makes the lookup fail instead of deciding on it.
func (e Employer) CheckBounds() error {
	switch {
	case e.RegisteredWorkers < 0 || e.RegisteredWorkers > MaxEmployerWorkers:
		return fmt.Errorf("registered workers %d is outside 0..%d", e.RegisteredWorkers, MaxEmployerWorkers)
	case e.ActiveWorkers < 0 || e.ActiveWorkers > MaxEmployerWorkers:
		return fmt.Errorf("active workers %d is outside 0..%d", e.ActiveWorkers, MaxEmployerWorkers)
	case e.ArrearsMonths < 0 || e.ArrearsMonths > MaxArrearsMonths:
		return fmt.Errorf("arrears months %d is outside 0..%d", e.ArrearsMonths, MaxArrearsMonths)
	case e.ArrearsAmount < 0 || e.ArrearsAmount > MaxArrearsAmount:
		return fmt.Errorf("arrears amount %d is outside 0..%d", e.ArrearsAmount, int64(MaxArrearsAmount))
	}
	return nil
}

// FieldErrors collects field errors up to MaxFieldErrors and counts the
// rest, so that collecting costs no more than the answer may hold.
type FieldErrors struct {
	list    []FieldError
	dropped int
}

// Add records one field error, or only counts it once MaxFieldErrors are
// held.
func (f *FieldErrors) Add(field, message string) {
	if len(f.list) >= MaxFieldErrors {
		f.dropped++
		return
	}
	f.list = append(f.list, FieldError{Field: field, Message: message})
}

// Len is how many field errors were added, listed or not.
func (f *FieldErrors) Len() int { return len(f.list) + f.dropped }

// Listed returns the field errors held (at most MaxFieldErrors).
func (f *FieldErrors) Listed() []FieldError { return f.list }

// Error is the KindInvalid *Error with code listing the field errors, its
// message "<what> has N invalid field(s)" (and how many are listed when
// some were only counted), or nil when there are none.
func (f *FieldErrors) Error(code, what string) *Error {
	if f.Len() == 0 {
		return nil
	}
	return &Error{Kind: KindInvalid, Code: code, Message: FieldErrorsMessage(what, len(f.list), f.dropped),
		Fields: f.list, Omitted: f.dropped}
}

// FieldErrorsMessage is "<what> has N invalid field(s)" for listed plus
// omitted errors, saying how many are listed when some are not.
func FieldErrorsMessage(what string, listed, omitted int) string {
	msg := fmt.Sprintf("%s has %d invalid field(s)", what, listed+omitted)
	if omitted > 0 {
		msg += fmt.Sprintf("; the first %d are listed, %d more are not", listed, omitted)
	}
	return msg
}
