package gate

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
)

// Invalidator drops cached BPJS data (the cached registry implements it).
type Invalidator interface {
	// InvalidateEmployer drops the cached employer for nib and the cached
	// participants for niks.
	InvalidateEmployer(ctx context.Context, nib string, niks ...string) error
}

// People is the service behind the people's API: licensing officers read,
// BPJS reviewers review, admins see everything. Every read is scoped to the
// actor's regions in the store query, and recorded in the access trail.
type People struct {
	Gate        *Service // reached only through peopleGate (People.gate)
	Store       PeopleStore
	Invalidator Invalidator // optional
	Importer    Importer    // optional: BPJS data files
	Logger      *slog.Logger
	// WhatIfLimits bound each person's what-ifs; DefaultWhatIfLimits when
	// zero. Read once, at the first what-if.
	WhatIfLimits WhatIfLimits

	whatIfOnce sync.Once
	whatIf     *whatIfLimiter
}

// CompanyView is what an officer sees of a company.
type CompanyView struct {
	NIB string
	// Employer is BPJS's current data (from the cache when fresh), or
	// EmployerErr when it could not be had.
	Employer    EmployerLookup
	EmployerErr error
	// Latest is the company's newest decision in the actor's regions;
	// nil for an admin looking at a company never decided.
	Latest     *Decision
	Counts     map[Outcome]int
	OpenReview *Decision
}

// Limits of a page of results.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

func notFound(what string) error {
	return &Error{Kind: KindNotFound, Code: CodeNotFound, Message: what + " not found"}
}

// Company returns the company's BPJS data and its decisions in the actor's
// regions. Errors: KindInvalid for a malformed NIB; KindNotFound when the
// company has no decision in the actor's regions (admins see any company).
func (p *People) Company(ctx context.Context, a Actor, nib string) (CompanyView, error) {
	if !ValidNIB(nib) {
		return CompanyView{}, &Error{Kind: KindInvalid, Code: CodeInvalidNIB, Message: "the NIB is malformed",
			Fields: []FieldError{{Field: "nib", Message: "must be 13 digits"}}}
	}
	scope := a.Scope()
	v := CompanyView{NIB: nib}
	latest, err := p.Store.ListDecisions(ctx, DecisionFilter{Scope: scope, NIB: nib, Limit: 1})
	if err != nil {
		return CompanyView{}, err
	}
	if len(latest) == 0 && !scope.All {
		return CompanyView{}, notFound("company")
	}
	if len(latest) > 0 {
		v.Latest = &latest[0]
	}
	if v.Counts, err = p.Store.DecisionCounts(ctx, DecisionFilter{Scope: scope, NIB: nib}); err != nil {
		return CompanyView{}, err
	}
	open, err := p.Store.ListReviews(ctx, ReviewFilter{Scope: scope, NIB: nib, State: ReviewOpen, Limit: 1})
	if err != nil {
		return CompanyView{}, err
	}
	if len(open) > 0 {
		v.OpenReview = &open[0]
	}
	v.Employer, v.EmployerErr = p.gate().employer(ctx, nib)
	if err := p.audit(ctx, a, "company.read", "company", nib, ""); err != nil {
		return CompanyView{}, err
	}
	return v, nil
}

// Refresh drops the cached BPJS data of a company and fetches it again.
// Errors as Company.
func (p *People) Refresh(ctx context.Context, a Actor, nib string) (CompanyView, error) {
	if _, err := p.Company(ctx, a, nib); err != nil {
		return CompanyView{}, err
	}
	if p.Invalidator != nil {
		if err := p.Invalidator.InvalidateEmployer(ctx, nib); err != nil {
			return CompanyView{}, err
		}
	}
	if err := p.audit(ctx, a, "company.refresh", "company", nib, ""); err != nil {
		return CompanyView{}, err
	}
	return p.Company(ctx, a, nib)
}

// WhatIf evaluates an application without recording a decision. It is
// bounded per person by WhatIfLimits, and recorded in the access trail
// with the number of workers it checks (never their NIKs). Its answer is
// the decision the same application would get, which names workers only by
// masked NIK and position, and only those with a finding.
//
// Errors: KindInvalid for a malformed application, or one that checks more
// workers than a what-if may; KindNotFound when its region is outside the
// actor's regions; CodeRateLimited (KindUnavailable, with a *RateLimited
// cause) past the person's limits; store_unavailable when the access
// cannot be recorded.
func (p *People) WhatIf(ctx context.Context, a Actor, app Application) (Decision, error) {
	if err := app.Validate(); err != nil {
		return Decision{}, err
	}
	if !a.Scope().Covers(app.RegionCode) {
		return Decision{}, notFound("region")
	}
	checks := p.whatIfChecks(app)
	if err := p.allowWhatIf(a.Subject, checks); err != nil {
		return Decision{}, err
	}
	detail := "niks_checked=" + strconv.Itoa(checks)
	if err := p.audit(ctx, a, "company.evaluate", "company", app.NIB, detail); err != nil {
		return Decision{}, err
	}
	return p.gate().Evaluate(ctx, app)
}

// Decision returns one decision. Errors: KindNotFound when it does not
// exist or is outside the actor's regions (the two are indistinguishable).
func (p *People) Decision(ctx context.Context, a Actor, id string) (Decision, error) {
	d, err := p.Store.Decision(ctx, id)
	if KindOf(err) == KindNotFound || (err == nil && !a.Scope().Covers(d.RegionCode)) {
		return Decision{}, notFound("decision")
	}
	if err != nil {
		return Decision{}, err
	}
	if err := p.audit(ctx, a, "decision.read", "decision", id, ""); err != nil {
		return Decision{}, err
	}
	return d, nil
}

// Decisions lists decisions in the actor's regions matching f, newest
// first; next is the cursor of the following page, empty on the last.
func (p *People) Decisions(ctx context.Context, a Actor, f DecisionFilter) (items []Decision, next string, err error) {
	f.Scope = a.Scope()
	f.Limit = pageSize(f.Limit)
	items, err = p.Store.ListDecisions(ctx, f)
	if err != nil {
		return nil, "", err
	}
	if len(items) == f.Limit {
		next = items[len(items)-1].ID
	}
	if err := p.audit(ctx, a, "decisions.list", "decisions", f.NIB, f.ApplicationID); err != nil {
		return nil, "", err
	}
	return items, next, nil
}

// Export streams every decision in the actor's regions matching f to fn.
// The access is recorded before the first decision is read, so that a
// stream, once begun, is always on the trail; when it cannot be recorded,
// nothing is streamed (KindUnavailable, "store_unavailable").
func (p *People) Export(ctx context.Context, a Actor, f DecisionFilter, fn func(Decision) error) error {
	f.Scope = a.Scope()
	if err := p.audit(ctx, a, "decisions.export", "decisions", f.NIB, f.ApplicationID); err != nil {
		return err
	}
	return p.Store.EachDecision(ctx, f, fn)
}

// Reviews lists the review queue (state "open", the default; soonest due
// first; f.Overdue keeps those past due) or reviewed decisions ("closed",
// newest first) in the actor's regions.
func (p *People) Reviews(ctx context.Context, a Actor, f ReviewFilter) (items []Decision, next string, err error) {
	if f.State == "" {
		f.State = ReviewOpen
	}
	if f.State != ReviewOpen && f.State != ReviewClosed {
		return nil, "", &Error{Kind: KindInvalid, Code: CodeInvalidQuery, Message: "state must be open or closed",
			Fields: []FieldError{{Field: "state", Message: "must be open or closed"}}}
	}
	if f.Overdue && f.State != ReviewOpen {
		return nil, "", &Error{Kind: KindInvalid, Code: CodeInvalidQuery, Message: "only open reviews can be overdue",
			Fields: []FieldError{{Field: "overdue", Message: "needs state=open"}}}
	}
	f.Scope = a.Scope()
	f.Now = p.gate().now()
	f.Limit = pageSize(f.Limit)
	items, err = p.Store.ListReviews(ctx, f)
	if err != nil {
		return nil, "", err
	}
	if len(items) == f.Limit {
		next = items[len(items)-1].ID
	}
	if err := p.audit(ctx, a, "reviews.list", "reviews", "", string(f.State)); err != nil {
		return nil, "", err
	}
	return items, next, nil
}

// Audit lists the access trail (admins only; the API enforces the role).
func (p *People) Audit(ctx context.Context, a Actor, f AuditFilter) (items []AuditEntry, next string, err error) {
	f.Limit = pageSize(f.Limit)
	items, err = p.Store.ListAudit(ctx, f)
	if err != nil {
		return nil, "", err
	}
	if len(items) == f.Limit {
		next = items[len(items)-1].ID
	}
	return items, next, nil
}

func pageSize(n int) int {
	switch {
	case n <= 0:
		return DefaultPageSize
	case n > MaxPageSize:
		return MaxPageSize
	}
	return n
}

// audit records an access. The trail fails closed: personal data is served
// only once its access is on record, so a failure to record is returned
// (KindUnavailable, "store_unavailable", whatever the store's reason, since
// the caller can do nothing but try again) and the caller serves nothing.
// The failure is also logged, with the actor quoted so that a subject with
// control characters cannot forge log lines.
func (p *People) audit(ctx context.Context, a Actor, action, resource, id, detail string) error {
	err := p.Store.RecordAccess(ctx, AuditEntry{At: p.gate().now(), Actor: a.Subject, Action: action,
		Resource: resource, ResourceID: id, Detail: detail})
	if err == nil {
		return nil
	}
	if p.Logger != nil {
		p.Logger.WarnContext(ctx, "audit trail write failed; the data is not served", "action", action,
			"actor", strconv.QuoteToASCII(a.Subject), "resource_id", id, "error", err)
	}
	return &Error{Kind: KindUnavailable, Code: CodeStoreUnavailable,
		Message: "the access could not be recorded in the audit trail, so nothing is served; try again", Err: err}
}
