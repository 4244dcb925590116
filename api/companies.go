package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/api/httperr"
	"github.com/jkngate/jkngate/gate"
)

// CompanyJSON is GET /v1/companies/{nib}: BPJS's current data on the
// company, its latest decision, its decisions counted by outcome, and the
// decision awaiting review, if any (all within the caller's regions).
type CompanyJSON struct {
	NIB            string            `json:"nib"`
	BPJS           any               `json:"bpjs"` // *EmployerDataJSON or BPJSErrorJSON
	LatestDecision *DecisionJSON     `json:"latest_decision"`
	DecisionCounts OutcomeCountsJSON `json:"decision_counts"`
	OpenReview     *DecisionJSON     `json:"open_review"`
}

// EmployerDataJSON is what BPJS answered about the employer, where the
// answer came from (live, cache, stale) and when it was fetched. The
// employer's fields are present only when Found.
type EmployerDataJSON struct {
	Source gate.Source `json:"source"`
	AsOf   *string     `json:"as_of"`
	Found  bool        `json:"found"`
	*EmployerJSON
}

// EmployerJSON is BPJS's employer record (README, "The BPJS simulator"), in the
// API's snake_case.
type EmployerJSON struct {
	EmployerCode      string `json:"employer_code"`
	Name              string `json:"name"`
	Status            string `json:"status"`
	StatusText        string `json:"status_text"`
	RegisteredWorkers int    `json:"registered_workers"`
	ActiveWorkers     int    `json:"active_workers"`
	ArrearsMonths     int    `json:"arrears_months"`
	ArrearsAmount     int64  `json:"arrears_amount"`
	LastPaidPeriod    string `json:"last_paid_period"`
	DataDate          string `json:"data_date"`
}

// BPJSErrorJSON stands in for the employer data when BPJS could not be
// asked: {"error":{"code":"registry_unavailable","message":"..."}}.
type BPJSErrorJSON struct {
	Error ErrorDetailJSON `json:"error"`
}

// OutcomeCountsJSON counts decisions by outcome; every outcome is present.
type OutcomeCountsJSON struct {
	Allow  int `json:"allow"`
	Deny   int `json:"deny"`
	Review int `json:"review"`
}

func outcomeCounts(m map[gate.Outcome]int) OutcomeCountsJSON {
	return OutcomeCountsJSON{Allow: m[gate.OutcomeAllow], Deny: m[gate.OutcomeDeny], Review: m[gate.OutcomeReview]}
}

// getCompany is GET /v1/companies/:nib.
func (s *server) getCompany(c echo.Context, a gate.Actor) error {
	v, err := s.peopleSvc.Company(c.Request().Context(), a, c.Param("nib"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.companyResponse(c, v))
}

// refreshCompany is POST /v1/companies/:nib/refresh: the cached BPJS data
// is dropped and fetched again.
func (s *server) refreshCompany(c echo.Context, a gate.Actor) error {
	v, err := s.peopleSvc.Refresh(c.Request().Context(), a, c.Param("nib"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.companyResponse(c, v))
}

func (s *server) companyResponse(c echo.Context, v gate.CompanyView) CompanyJSON {
	out := CompanyJSON{NIB: v.NIB, DecisionCounts: outcomeCounts(v.Counts)}
	if v.Latest != nil {
		d := DecisionResponse(*v.Latest)
		out.LatestDecision = &d
	}
	if v.OpenReview != nil {
		d := DecisionResponse(*v.OpenReview)
		out.OpenReview = &d
	}
	if v.EmployerErr != nil {
		out.BPJS = s.bpjsError(c, v.EmployerErr)
		return out
	}
	e := v.Employer
	data := &EmployerDataJSON{Source: e.Fetch.Source, AsOf: timeOrNull(e.Fetch.AsOf, time.RFC3339), Found: e.Found}
	if e.Found {
		data.EmployerJSON = &EmployerJSON{
			EmployerCode: e.Employer.Code, Name: e.Employer.Name, Status: e.Employer.Status,
			StatusText: e.Employer.StatusText, RegisteredWorkers: e.Employer.RegisteredWorkers,
			ActiveWorkers: e.Employer.ActiveWorkers, ArrearsMonths: e.Employer.ArrearsMonths,
			ArrearsAmount: e.Employer.ArrearsAmount, LastPaidPeriod: e.Employer.LastPaidPeriod,
			DataDate: e.Employer.DataDate,
		}
	}
	out.BPJS = data
	return out
}

// bpjsError describes a failed employer lookup without its internals (URLs,
// upstream messages), which go to the log instead.
func (s *server) bpjsError(c echo.Context, err error) BPJSErrorJSON {
	if gate.CodeOf(err) == gate.CodeEmployerSourceDisabled {
		return BPJSErrorJSON{Error: ErrorDetailJSON{Code: gate.CodeEmployerSourceDisabled,
			Message: "no BPJS employer data source is configured"}}
	}
	s.logger.WarnContext(c.Request().Context(), "employer lookup failed", "err", err)
	return BPJSErrorJSON{Error: ErrorDetailJSON{Code: httperr.CodeRegistryUnavailable,
		Message: "BPJS Kesehatan could not be reached; try again later"}}
}

// evaluateCompany is POST /v1/companies/:nib/evaluate: a what-if. The body
// is an application's data object; its nib, when given, must be the path's,
// and is taken from the path when not. Nothing is recorded.
func (s *server) evaluateCompany(c echo.Context, a gate.Actor) error {
	nib := c.Param("nib")
	body, err := readBody(c.Request(), maxWebhookBody)
	if err != nil {
		return err
	}
	obj, err := decodeJSONObject(body, gate.CodeInvalidApplication, "the application")
	if err != nil {
		return err
	}
	var bodyNIB string
	switch {
	case isNull(obj["nib"]):
		obj["nib"], _ = json.Marshal(nib)
	case json.Unmarshal(obj["nib"], &bodyNIB) == nil && bodyNIB != nib:
		// (A nib of the wrong type is parseApplication's to report.)
		return &gate.Error{Kind: gate.KindInvalid, Code: gate.CodeInvalidApplication,
			Message: "the application has 1 invalid field(s)",
			Fields:  []gate.FieldError{{Field: "nib", Message: "must equal the NIB in the path"}}}
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	app, err := parseApplication(raw, "")
	if err = s.checkCallbackURL(app, err, ""); err != nil {
		return err
	}
	d, err := s.peopleSvc.WhatIf(c.Request().Context(), a, app)
	if err != nil {
		return err
	}
	out := DecisionResponse(d)
	out.DryRun = true
	return c.JSON(http.StatusOK, out)
}

// decodeJSONObject decodes a request body that must be a JSON object,
// read strictly (checkJSON); anything else is malformed_json, and an array
// over the bound is a field error of code about what.
func decodeJSONObject(body []byte, code, what string) (map[string]json.RawMessage, error) {
	if _, err := checkJSON(body); err != nil {
		return nil, limitError(err, code, what)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		msg := "the body is not valid JSON"
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) || (err == nil && obj == nil) {
			msg = "the body must be a JSON object"
		}
		return nil, &gate.Error{Kind: gate.KindInvalid, Code: httperr.CodeMalformedJSON, Message: msg}
	}
	return obj, nil
}
