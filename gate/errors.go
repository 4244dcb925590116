package gate

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error so that adapters (HTTP, CLI) can map it to a
// response without knowing where it came from. Refusals that exist only
// because a request came over HTTP (credentials, roles, body size) are the
// HTTP layer's own kinds, not gate's.
type Kind int

// The error kinds gate and its adapters use.
const (
	KindInternal    Kind = iota // a bug or an unexpected failure
	KindInvalid                 // the caller sent something malformed
	KindNotFound                // no such thing (or not visible to the caller)
	KindConflict                // the thing exists already or changed meanwhile
	KindUnavailable             // a dependency could not be reached; try again
)

func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindNotFound:
		return "not_found"
	case KindConflict:
		return "conflict"
	case KindUnavailable:
		return "unavailable"
	default:
		return "internal"
	}
}

// FieldError names one field at fault, by its path in the caller's request
// (for example "nib" or "workers[3].nik"), and says what is wrong with it.
type FieldError struct {
	Field   string
	Message string
}

// Error is gate's error type. Code is a stable, machine-readable code
// (for example "invalid_application"); Message is for people. Fields is set
// when particular fields are at fault. Err, if set, is the underlying cause.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Fields  []FieldError
	// Omitted counts the field errors found beyond those listed in Fields
	// (at most MaxFieldErrors are listed).
	Omitted int
	Err     error
}

func (e *Error) Error() string {
	msg := e.Code + ": " + e.Message
	if e.Err != nil && !strings.HasSuffix(e.Message, e.Err.Error()) {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotFound) and friends match on Kind alone.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) && t.Code == "" && t.Message == "" {
		return t.Kind == e.Kind
	}
	return false
}

// Sentinels for errors.Is checks by kind: errors.Is(err, gate.ErrNotFound).
var (
	ErrInvalid     = &Error{Kind: KindInvalid}
	ErrNotFound    = &Error{Kind: KindNotFound}
	ErrConflict    = &Error{Kind: KindConflict}
	ErrUnavailable = &Error{Kind: KindUnavailable}
)

// Errorf builds an *Error of the given kind and code; a %w verb in format
// sets the cause.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Kind: kind, Code: code, Message: err.Error(), Err: errors.Unwrap(err)}
}

// KindOf reports the kind of err: the Kind of the first *Error in its chain,
// or KindInternal when there is none.
func KindOf(err error) Kind {
	if e := firstError(err); e != nil {
		return e.Kind
	}
	return KindInternal
}

// CodeOf returns the code of the first *Error in err's chain, or "".
func CodeOf(err error) string {
	if e := firstError(err); e != nil {
		return e.Code
	}
	return ""
}

// firstError is the first *Error in err's chain, or nil. Nil and an *Error
// itself, the common cases on the webhook path, cost no allocation
// (errors.As's target escapes to the heap).
func firstError(err error) *Error {
	switch e := err.(type) {
	case nil:
		return nil
	case *Error:
		return e
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
