package api

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/api/httperr"
	"github.com/jkngate/jkngate/gate"
)

// ErrorJSON is the body of every error response:
// {"error":{"code":"...","message":"...","fields":[...]}}.
type ErrorJSON struct {
	Error ErrorDetailJSON `json:"error"`
}

// ErrorDetailJSON is the error object: a stable code, a message for people,
// and the fields at fault, if particular fields are.
type ErrorDetailJSON struct {
	Code    string      `json:"code"`
	Message string      `json:"message"`
	Fields  []FieldJSON `json:"fields,omitempty"`
}

// FieldJSON names one field at fault by its path in the request body.
type FieldJSON struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// statusByKind is the one table from gate error kinds to HTTP statuses.
// KindInternal is absent on purpose: internal errors are never shown.
var statusByKind = map[gate.Kind]int{
	gate.KindInvalid:     http.StatusUnprocessableEntity,
	gate.KindNotFound:    http.StatusNotFound,
	gate.KindConflict:    http.StatusConflict,
	gate.KindUnavailable: http.StatusServiceUnavailable,
}

// statusByHTTPKind is the table of the HTTP layer's own error kinds.
var statusByHTTPKind = map[httperr.Kind]int{
	httperr.KindUnauthenticated: http.StatusUnauthorized,
	httperr.KindForbidden:       http.StatusForbidden,
	httperr.KindTooLarge:        http.StatusRequestEntityTooLarge,
}

// statusByCode overrides statusByKind for codes whose status differs from
// their kind's.
var statusByCode = map[string]int{
	httperr.CodeMalformedJSON: http.StatusBadRequest,
	gate.CodeInvalidWebhookID: http.StatusBadRequest,
	gate.CodeRateLimited:      http.StatusTooManyRequests,
}

// noBearerChallenge lists unauthenticated codes that are not about a bearer
// token (the webhook is authenticated by its signature), so that their 401
// does not invite the sender to send one.
var noBearerChallenge = map[string]bool{
	httperr.CodeMissingSignatureHeaders: true,
	httperr.CodeInvalidSignature:        true,
	httperr.CodeTimestampOutOfTolerance: true,
}

// codeByStatus names Echo's own errors (no route, wrong method, ...).
var codeByStatus = map[int]string{
	http.StatusNotFound:              gate.CodeNotFound,
	http.StatusMethodNotAllowed:      httperr.CodeMethodNotAllowed,
	http.StatusRequestEntityTooLarge: httperr.CodePayloadTooLarge,
	http.StatusUnsupportedMediaType:  httperr.CodeUnsupportedMediaType,
	http.StatusBadRequest:            httperr.CodeBadRequest,
	http.StatusUnauthorized:          httperr.CodeUnauthenticated,
	http.StatusForbidden:             httperr.CodeForbidden,
	http.StatusTooManyRequests:       httperr.CodeTooManyRequests,
	http.StatusServiceUnavailable:    httperr.CodeUnavailable,
}

// retryAfterSeconds is what an unavailable answer asks the caller to wait.
const retryAfterSeconds = "5"

// handleError is the Echo HTTPErrorHandler: every error a handler or
// middleware returns is answered here, in the ErrorJSON shape.
func (s *server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, body := s.errorResponse(err, c)
	h := c.Response().Header()
	switch status {
	case http.StatusServiceUnavailable:
		h.Set("Retry-After", retryAfterSeconds)
	case http.StatusTooManyRequests:
		h.Set("Retry-After", rateLimitRetryAfter(err))
	case http.StatusUnauthorized:
		if !noBearerChallenge[body.Error.Code] {
			h.Set(echo.HeaderWWWAuthenticate, bearerChallenge(err))
		}
	}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, body)
	}
	if err != nil {
		s.logger.WarnContext(c.Request().Context(), "writing the error response failed", "err", err)
	}
}

// errorResponse maps err to a status and body. Errors it does not recognize
// are logged at error level and answered with a generic 500.
func (s *server) errorResponse(err error, c echo.Context) (int, ErrorJSON) {
	// The HTTP layer's errors are made at the edge and wrap at most their
	// cause, which is never shown; so they are looked for first.
	var hte *httperr.Error
	if errors.As(err, &hte) {
		if status, ok := statusByHTTPKind[hte.Kind]; ok {
			code := hte.Code
			if code == "" {
				code = hte.Kind.String()
			}
			return status, ErrorJSON{Error: ErrorDetailJSON{Code: code, Message: hte.Message}}
		}
	}
	var ge *gate.Error
	if errors.As(err, &ge) {
		status, ok := statusByCode[ge.Code]
		if !ok {
			status, ok = statusByKind[ge.Kind]
		}
		if ok {
			if status == http.StatusServiceUnavailable {
				// Expected in an outage, so not an error; the cause is
				// worth seeing.
				s.logger.WarnContext(c.Request().Context(), "dependency unavailable", "err", err)
			}
			code := ge.Code
			if code == "" {
				code = ge.Kind.String()
			}
			body := ErrorJSON{Error: ErrorDetailJSON{Code: code, Message: ge.Message}}
			// Collectors stop at gate.MaxFieldErrors; this keeps any that
			// does not from making a huge answer.
			for _, f := range ge.Fields[:min(len(ge.Fields), gate.MaxFieldErrors)] {
				body.Error.Fields = append(body.Error.Fields, FieldJSON(f))
			}
			return status, body
		}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code < 500 && he.Code >= 400 {
		code, ok := codeByStatus[he.Code]
		if !ok {
			code = strings.ReplaceAll(strings.ToLower(http.StatusText(he.Code)), " ", "_")
		}
		msg := strings.ToLower(http.StatusText(he.Code))
		if m, ok := he.Message.(string); ok && m != "" {
			msg = m
		}
		return he.Code, ErrorJSON{Error: ErrorDetailJSON{Code: code, Message: msg}}
	}
	s.logger.ErrorContext(c.Request().Context(), "internal error", "err", err)
	return http.StatusInternalServerError, ErrorJSON{Error: ErrorDetailJSON{
		Code: httperr.CodeInternal, Message: "internal error; the request id identifies it in the logs"}}
}

// codeOf is the code err is answered with, when it is one of the known
// errors: its *httperr.Error's (looked for first, as errorResponse does),
// else its *gate.Error's, else "".
func codeOf(err error) string {
	var hte *httperr.Error
	if errors.As(err, &hte) {
		return hte.Code
	}
	return gate.CodeOf(err)
}

// panicError carries a recovered panic and its stack to handleError, which
// logs it like any other unknown error. It has no Unwrap on purpose: a panic
// is a 500 whatever value it carries.
type panicError struct {
	value error
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v\n%s", e.value, e.stack) }

// LogValue keeps a recovered panic's stack out of the one-line message.
func (e *panicError) LogValue() slog.Value {
	return slog.GroupValue(slog.String("panic", e.value.Error()), slog.String("stack", string(e.stack)))
}

// rateLimitRetryAfter is the Retry-After of a rate_limited answer: the
// whole seconds until the refused request would be allowed (at least 1).
func rateLimitRetryAfter(err error) string {
	var rl *gate.RateLimited
	if errors.As(err, &rl) {
		return strconv.Itoa(max(1, int(math.Ceil(rl.RetryAfter.Seconds()))))
	}
	return retryAfterSeconds
}
