package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/api/httperr"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/callback"
)

// maxWebhookBody is the largest webhook body accepted (README, "The webhook in brief").
const maxWebhookBody = 1 << 20

// eventApplicationSubmitted is the only event type the webhook accepts.
const eventApplicationSubmitted = "application.submitted"

// receiveWebhook is POST /v1/webhooks/:client_id. In order: the client must
// be known, the body at most 1 MiB, the signature valid (checked on the raw
// bytes before any parsing), the body a well-formed application.submitted
// event; then gate decides and records, and the decision is the answer.
func (s *server) receiveWebhook(c echo.Context) error {
	clientID := c.Param("client_id")
	secrets, ok := s.clients[clientID]
	if !ok || len(secrets) == 0 {
		return s.metrics.webhookRefused(&gate.Error{Kind: gate.KindNotFound, Code: httperr.CodeUnknownClient,
			Message: "no webhook client with this id"})
	}
	req := c.Request()
	body, err := readBody(req, maxWebhookBody)
	if err != nil {
		return s.metrics.webhookRefused(err)
	}
	if err := s.span(req.Context(), "webhook.verify", func(context.Context) error {
		return standardwebhooks.Verify(req.Header, body, secrets, s.now())
	}); err != nil {
		return s.metrics.webhookRefused(signatureError(err))
	}
	// The id is checked before the body, so that a bad id is 400 whatever
	// the body; gate checks it again for every other caller.
	webhookID := req.Header.Get(standardwebhooks.HeaderID)
	if err := gate.CheckWebhookID(webhookID); err != nil {
		return err
	}
	app, err := parseSubmission(body)
	if err = s.checkCallbackURL(app, err, "data."); err != nil {
		return err
	}
	var d gate.Decision
	err = s.span(req.Context(), "webhook.evaluate", func(ctx context.Context) (err error) {
		d, err = s.gate.Submit(ctx, clientID, webhookID, app)
		return err
	})
	if err != nil {
		return prefixFields(err, "data.")
	}
	return c.JSON(http.StatusOK, DecisionResponse(d))
}

// readBody reads at most limit bytes, also from bodies without a
// Content-Length, and answers payload_too_large beyond that.
func readBody(req *http.Request, limit int64) ([]byte, error) {
	// Made only when needed: this runs for every request.
	tooLarge := func() error {
		return &httperr.Error{Kind: httperr.KindTooLarge, Code: httperr.CodePayloadTooLarge,
			Message: fmt.Sprintf("the body must be at most %d bytes", limit)}
	}
	if req.ContentLength > limit {
		return nil, tooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, limit+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge()
		}
		return nil, &gate.Error{Kind: gate.KindInvalid, Code: httperr.CodeMalformedJSON,
			Message: "the body could not be read", Err: err}
	}
	if int64(len(body)) > limit {
		return nil, tooLarge()
	}
	return body, nil
}

// signatureError maps a standardwebhooks error to the webhook's documented 401 codes.
func signatureError(err error) error {
	code := httperr.CodeInvalidSignature
	switch {
	case errors.Is(err, standardwebhooks.ErrMissingHeaders):
		code = httperr.CodeMissingSignatureHeaders
	case errors.Is(err, standardwebhooks.ErrTimestampOutOfTolerance):
		code = httperr.CodeTimestampOutOfTolerance
	}
	return &httperr.Error{Kind: httperr.KindUnauthenticated, Code: code, Message: err.Error()}
}

// parseSubmission decodes an application.submitted event. Invalid JSON is
// malformed_json; a missing or non-string type, or a bad data object, is
// invalid_application with the fields at fault; another type is
// unsupported_event_type.
func parseSubmission(body []byte) (gate.Application, error) {
	shape, err := checkJSON(body)
	if err != nil {
		return gate.Application{}, limitError(err, gate.CodeInvalidApplication, "the application")
	}
	if !shape.foldedKeys {
		if app, ok := parseValidSubmission(body); ok {
			return app, nil
		}
	}
	var event map[string]json.RawMessage
	if err := json.Unmarshal(body, &event); err != nil || event == nil {
		msg := "the body is not valid JSON"
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) || err == nil {
			msg = "the body must be a JSON object"
		}
		return gate.Application{}, &gate.Error{Kind: gate.KindInvalid, Code: httperr.CodeMalformedJSON, Message: msg}
	}
	typeField := misspeltKeys(event, "", eventFields)
	var typ string
	switch raw := event["type"]; {
	case isNull(raw):
		typeField = append(typeField, gate.FieldError{Field: "type", Message: "is required"})
	case json.Unmarshal(raw, &typ) != nil:
		typeField = append(typeField, gate.FieldError{Field: "type", Message: "must be a string"})
	case typ != eventApplicationSubmitted:
		return gate.Application{}, &gate.Error{Kind: gate.KindInvalid, Code: httperr.CodeUnsupportedEventType,
			Message: fmt.Sprintf("event type %q is not supported", truncate(typ, 64)),
			Fields:  []gate.FieldError{{Field: "type", Message: "must be " + eventApplicationSubmitted}}}
	}
	app, err := parseApplication(event["data"], "data.")
	if len(typeField) == 0 {
		return app, err
	}
	var fields []gate.FieldError
	omitted := 0
	var ge *gate.Error
	if errors.As(err, &ge) {
		fields, omitted = ge.Fields, ge.Omitted
	}
	fields = append(typeField, fields...)
	if len(fields) > gate.MaxFieldErrors {
		omitted += len(fields) - gate.MaxFieldErrors
		fields = fields[:gate.MaxFieldErrors]
	}
	return app, &gate.Error{Kind: gate.KindInvalid, Code: gate.CodeInvalidApplication,
		Message: gate.FieldErrorsMessage("the application", len(fields), omitted), Fields: fields, Omitted: omitted}
}

// checkCallbackURL adds to err (the application's parse result) a field
// error for a callback_url the callback worker would refuse, so that the
// licensing system hears of it now rather than never (its callbacks would
// fail forever). Host names are not resolved: the worker checks the
// address it connects to at each attempt.
func (s *server) checkCallbackURL(app gate.Application, err error, prefix string) error {
	if app.CallbackURL == "" {
		return err
	}
	field := prefix + "callback_url"
	var ge *gate.Error
	if errors.As(err, &ge) {
		if ge.Code != gate.CodeInvalidApplication || slices.ContainsFunc(ge.Fields, func(f gate.FieldError) bool { return f.Field == field }) {
			return err
		}
	} else if err != nil {
		return err
	}
	cerr := callback.CheckURL(app.CallbackURL, s.callbackAllowPrivate)
	if cerr == nil {
		return err
	}
	msg := "must be an absolute http(s) URL with a host"
	if errors.Is(cerr, callback.ErrRefusedAddress) {
		msg = "must not point to a loopback, private, link-local or otherwise internal address (" +
			strings.TrimPrefix(cerr.Error(), callback.ErrRefusedAddress.Error()+": ") + ")"
	}
	out := gate.Error{Kind: gate.KindInvalid, Code: gate.CodeInvalidApplication}
	if ge != nil {
		out = *ge
	}
	out.Fields = append(slices.Clone(out.Fields), gate.FieldError{Field: field, Message: msg})
	if len(out.Fields) > gate.MaxFieldErrors {
		out.Fields = out.Fields[:gate.MaxFieldErrors]
		out.Omitted++
	}
	out.Message = gate.FieldErrorsMessage("the application", len(out.Fields), out.Omitted)
	return &out
}

// eventFields are the keys of a webhook event.
var eventFields = []string{"type", "timestamp", "data"}

// limitError turns checkJSON's error for an array over the bound into a
// field error of code about what; other errors (malformed_json) pass.
func limitError(err error, code, what string) error {
	var le *jsonLimitError
	if !errors.As(err, &le) {
		return err
	}
	return &gate.Error{Kind: gate.KindInvalid, Code: code, Message: gate.FieldErrorsMessage(what, 1, 0),
		Fields: []gate.FieldError{{Field: le.path, Message: fmt.Sprintf("must list at most %d entries", maxJSONArray)}}}
}

// prefixFields returns err with its field paths, which gate gives relative
// to the application, made relative to the request body.
func prefixFields(err error, prefix string) error {
	var ge *gate.Error
	if !errors.As(err, &ge) || len(ge.Fields) == 0 {
		return err
	}
	out := *ge
	out.Fields = make([]gate.FieldError, len(ge.Fields))
	for i, f := range ge.Fields {
		out.Fields[i] = gate.FieldError{Field: prefix + f.Field, Message: f.Message}
	}
	return &out
}
