// Package httperr holds what only the HTTP layer knows about errors: the
// kinds of refusal that exist because a request came over HTTP (no or bad
// credentials, a role that does not allow the operation, a body over the
// limit), and the codes of the errors only the HTTP layer answers. Domain
// errors stay gate's (gate.Error, gate.Kind, gate's codes); api's error
// handler answers both, each through its own status table.
package httperr

import (
	"errors"
	"strings"
)

// Kind classifies an HTTP-only error so that the API (JSON) and the console
// (pages) can answer it with the same status.
type Kind int

// The HTTP-only error kinds. The zero Kind is none: an error that is not an
// *Error.
const (
	KindUnauthenticated Kind = iota + 1 // no or bad credentials (401)
	KindForbidden                       // credentials fine, permission missing (403)
	KindTooLarge                        // the request body is over the limit (413)
)

// String is the kind's name, which is also the code of an *Error of that
// kind without one.
func (k Kind) String() string {
	switch k {
	case KindUnauthenticated:
		return CodeUnauthenticated
	case KindForbidden:
		return CodeForbidden
	case KindTooLarge:
		return "too_large"
	default:
		return "none"
	}
}

// Error is an HTTP-only error: Code is stable and machine-readable, Message
// is for people, and Err, if set, is the cause (for the log, never shown).
type Error struct {
	Kind    Kind
	Code    string
	Message string
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

// KindOf reports the Kind of the first *Error in err's chain, or 0 when
// there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
