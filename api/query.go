package api

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// queryParser reads a listing's query parameters and collects every value
// at fault, so that one 422 invalid_query names them all.
type queryParser struct {
	values url.Values
	fields gate.FieldErrors // at most gate.MaxFieldErrors listed
}

// newQuery starts parsing values, of which only allowed may appear: a
// misspelt filter is an error rather than silently ignored, because a
// listing or export without the intended filter looks plausible and is
// wrong.
func newQuery(values url.Values, allowed ...string) *queryParser {
	q := &queryParser{values: values}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(allowed, name) {
			q.add(truncate(name, 64), "is not a parameter of this endpoint; use "+strings.Join(allowed, ", "))
		}
	}
	return q
}

func (q *queryParser) add(field, msg string) { q.fields.Add(field, msg) }

// err returns the invalid_query error naming every value at fault (the
// first gate.MaxFieldErrors; the message counts the rest), or nil.
func (q *queryParser) err() error {
	if q.fields.Len() == 0 {
		return nil
	}
	listed := q.fields.Listed()
	omitted := q.fields.Len() - len(listed)
	msg := fmt.Sprintf("the query has %d invalid parameter(s)", q.fields.Len())
	if omitted > 0 {
		msg += fmt.Sprintf("; the first %d are listed, %d more are not", len(listed), omitted)
	}
	return &gate.Error{Kind: gate.KindInvalid, Code: gate.CodeInvalidQuery, Message: msg, Fields: listed, Omitted: omitted}
}

// str returns the parameter's value; "" when absent. A parameter given
// twice is an error: which one would count is a guess.
func (q *queryParser) str(name string) string {
	vs := q.values[name]
	if len(vs) > 1 {
		q.add(name, "must be given at most once")
	}
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

func (q *queryParser) check(name string, ok func(string) bool, msg string) string {
	v := q.str(name)
	if v != "" && !ok(v) {
		q.add(name, msg)
		return ""
	}
	return v
}

func (q *queryParser) nib() string {
	return q.check("nib", gate.ValidNIB, "must be 13 digits")
}

func (q *queryParser) region() string {
	return q.check("region", gate.ValidRegionCode, "must be a 2-digit province or 4-digit regency/city code")
}

func (q *queryParser) outcome() gate.Outcome {
	return gate.Outcome(q.check("outcome", func(v string) bool {
		return v == string(gate.OutcomeAllow) || v == string(gate.OutcomeDeny) || v == string(gate.OutcomeReview)
	}, "must be allow, deny or review"))
}

// text returns a free-text filter of at most maxLen bytes, held to the
// same rule as the text it filters (gate.TextProblem), so that no store
// sees a value it would refuse.
func (q *queryParser) text(name string, maxLen int) string {
	return q.check(name, func(v string) bool { return len(v) <= maxLen && gate.TextProblem(v, false) == "" },
		fmt.Sprintf("must be at most %d characters of printable text", maxLen))
}

const dateLayout = "2006-01-02"

// period reads since and until: RFC 3339 times, or dates (UTC) where since
// is the start of its day and until includes its whole day. Since must be
// before until.
func (q *queryParser) period() (since, until time.Time) {
	since = q.instant("since", false)
	until = q.instant("until", true)
	if !since.IsZero() && !until.IsZero() && !since.Before(until) {
		q.add("until", "must be after since")
	}
	return since, until
}

func (q *queryParser) instant(name string, endOfDay bool) time.Time {
	v := q.str(name)
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC()
	}
	if t, err := time.Parse(dateLayout, v); err == nil {
		if endOfDay {
			t = t.AddDate(0, 0, 1)
		}
		return t
	}
	q.add(name, "must be an RFC 3339 time (2026-11-22T10:00:00Z) or a date (2026-11-22)")
	return time.Time{}
}

// limit reads the page size: gate.DefaultPageSize when absent, else 1 to
// gate.MaxPageSize.
func (q *queryParser) limit() int {
	v := q.str("limit")
	if v == "" {
		return gate.DefaultPageSize
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > gate.MaxPageSize {
		q.add("limit", fmt.Sprintf("must be an integer from 1 to %d", gate.MaxPageSize))
		return gate.DefaultPageSize
	}
	return n
}

// cursor decodes an opaque cursor made by nextCursor for ids that valid
// accepts (gate.ValidDecisionID, ValidAuditID, ValidCallbackID) and returns
// the id it holds.
func (q *queryParser) cursor(valid func(string) bool) string {
	v := q.str("cursor")
	if v == "" {
		return ""
	}
	id, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || !valid(string(id)) {
		q.add("cursor", "is not a cursor this endpoint gave out")
		return ""
	}
	return string(id)
}

// ListJSON is a page of a list endpoint, newest first: the items and the
// cursor of the next page, null on the last page.
type ListJSON[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// listJSON is the page of items, each mapped to its public document by
// doc, with next (the id the page ends with, or "") as its cursor.
func listJSON[S, T any](items []S, next string, doc func(S) T) ListJSON[T] {
	out := ListJSON[T]{Items: make([]T, len(items)), NextCursor: nextCursor(next)}
	for i, it := range items {
		out.Items[i] = doc(it)
	}
	return out
}

// nextCursor is the opaque cursor of the page after the one ending with
// id; null on the last page.
func nextCursor(id string) *string {
	if id == "" {
		return nil
	}
	c := base64.RawURLEncoding.EncodeToString([]byte(id))
	return &c
}

// decisionFilter reads the decision filters of GET /v1/decisions and its
// CSV export; page adds limit and cursor.
func decisionFilter(values url.Values, page bool) (gate.DecisionFilter, error) {
	allowed := []string{"nib", "application_id", "outcome", "region", "since", "until"}
	if page {
		allowed = append(allowed, "limit", "cursor")
	}
	q := newQuery(values, allowed...)
	f := gate.DecisionFilter{
		NIB:           q.nib(),
		ApplicationID: q.text("application_id", 128),
		Outcome:       q.outcome(),
		Region:        q.region(),
	}
	f.Since, f.Until = q.period()
	if page {
		f.Limit = q.limit()
		f.After = q.cursor(gate.ValidDecisionID)
	}
	return f, q.err()
}
