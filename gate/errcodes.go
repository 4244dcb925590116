package gate

// The codes of gate's errors (Error.Code), each spelled once, here. They are
// part of the contract with clients (the HTTP API answers them; README and
// api/openapi.yaml list those it can answer) and with adapters: a Registry
// or Store reports its failures with these codes, and gate, the API and the
// stores' conformance suite recognize them by them. Codes only the HTTP
// layer answers (malformed_json, unauthenticated, ...) belong to the API;
// codes only one adapter makes (invalid_redis_url, ...) to that adapter.
// Codes are never renamed: clients match on them.

// Codes of the decision workflow.
const (
	// CodeInvalidApplication: an application (or what-if) has fields at
	// fault; Error.Fields names them. KindInvalid.
	CodeInvalidApplication = "invalid_application"
	// CodeInvalidWebhookID: a webhook-id that is not 1 to
	// MaxWebhookIDLength characters of printable ASCII. KindInvalid.
	CodeInvalidWebhookID = "invalid_webhook_id"
	// CodeLookupBudgetExceeded: a worker was not looked up because the
	// application's lookup budget was spent. KindUnavailable.
	CodeLookupBudgetExceeded = "lookup_budget_exceeded"
	// CodeRateLimited: a person is past their what-if limits
	// (KindUnavailable: try again later; HTTP 429). Its cause is a
	// *RateLimited saying when.
	CodeRateLimited = "rate_limited"
	// CodeInvalidPolicy: a policy that cannot be used. KindInvalid.
	CodeInvalidPolicy = "invalid_policy"
)

// Codes of the review workflow.
const (
	// CodeInvalidReview: an unknown action or an unusable note. KindInvalid.
	CodeInvalidReview = "invalid_review"
	// CodeAlreadyReviewed: the review is not open (closed, or the decision
	// superseded). KindConflict.
	CodeAlreadyReviewed = "already_reviewed"
	// CodeSuperseded: a recheck's decision is no longer the application's
	// latest. KindConflict.
	CodeSuperseded = "superseded"
	// CodePersonalDataErased: the decision's personal data is erased, so it
	// can no longer be reviewed. KindConflict.
	CodePersonalDataErased = "personal_data_erased"
)

// Codes of the people's queries.
const (
	// CodeNotFound: no such thing, or not visible to the caller (the two are
	// indistinguishable). KindNotFound.
	CodeNotFound = "not_found"
	// CodeInvalidNIB: a NIB that is not 13 digits. KindInvalid.
	CodeInvalidNIB = "invalid_nib"
	// CodeInvalidQuery: a query parameter is invalid. KindInvalid.
	CodeInvalidQuery = "invalid_query"
)

// Codes of BPJS data-file imports.
const (
	// CodeInvalidImportKind: an import kind other than employers or
	// participants. KindInvalid.
	CodeInvalidImportKind = "invalid_import_kind"
	// CodeImportsUnavailable: imports are not configured. KindUnavailable.
	CodeImportsUnavailable = "imports_unavailable"
	// CodeUnreadableFile: the file is not a CSV or XLSX file that can be
	// read. KindInvalid.
	CodeUnreadableFile = "unreadable_file"
	// CodeFileChanged: the file changed while it was imported. KindInvalid.
	CodeFileChanged = "file_changed"
	// CodeImportSpool: no room for, or no writing of, the import's
	// temporary file. KindUnavailable.
	CodeImportSpool = "import_spool"
	// CodeImportCancelled: the import's context ended. KindUnavailable.
	CodeImportCancelled = "import_cancelled"
)

// Codes a Registry's errors carry. The throttled ones (CodeBPJSRateLimited,
// CodeBPJSBusy, CodeBPJSLookupAbandoned) say that BPJS was not called, not
// that it failed; rechecks treat them differently.
const (
	// CodeEmployerSourceDisabled: the Registry has no employer data source
	// (Employer only). KindUnavailable.
	CodeEmployerSourceDisabled = "employer_source_disabled"
	// CodeBPJSUnavailable: BPJS could not be reached or gave an unusable
	// answer. KindUnavailable.
	CodeBPJSUnavailable = "bpjs_unavailable"
	// CodeBPJSTimeout: BPJS did not answer in time. KindUnavailable.
	CodeBPJSTimeout = "bpjs_timeout"
	// CodeBPJSCircuitOpen: BPJS failed too often lately, so it is not
	// called for now. KindUnavailable.
	CodeBPJSCircuitOpen = "bpjs_circuit_open"
	// CodeBPJSRateLimited: the call would exceed the rate agreed with BPJS.
	// KindUnavailable.
	CodeBPJSRateLimited = "bpjs_rate_limited"
	// CodeBPJSBusy: no slot for a call to BPJS freed up in time.
	// KindUnavailable.
	CodeBPJSBusy = "bpjs_busy"
	// CodeBPJSLookupAbandoned: the caller's context ended while it waited
	// for a lookup. KindUnavailable.
	CodeBPJSLookupAbandoned = "bpjs_lookup_abandoned"
)

// Codes a Store's errors carry; both stores make the same ones, and the
// conformance suite checks them.
const (
	// CodeStoreUnavailable: the store could not be reached or did not
	// answer in time. KindUnavailable.
	CodeStoreUnavailable = "store_unavailable"
	// CodeStoreConflict: a uniqueness rule refused the write. KindConflict.
	CodeStoreConflict = "store_conflict"
	// CodeStoreInvalidValue: the database refused a value. KindInvalid.
	CodeStoreInvalidValue = "store_invalid_value"
	// CodeStoreError: the database failed in a way not worth retrying.
	// KindInternal.
	CodeStoreError = "store_error"
	// CodeDecisionNotFound: no such decision. KindNotFound.
	CodeDecisionNotFound = "decision_not_found"
	// CodeApplicationNotFound: no decision for the application.
	// KindNotFound.
	CodeApplicationNotFound = "application_not_found"
	// CodeCallbackNotFound: no such callback. KindNotFound.
	CodeCallbackNotFound = "callback_not_found"
	// CodeRecheckNotFound: no such recheck. KindNotFound.
	CodeRecheckNotFound = "recheck_not_found"
	// CodeNotFailed: only a failed callback can be retried. KindConflict.
	CodeNotFailed = "not_failed"
	// CodeInvalidDecision: a decision the store cannot record as asked.
	// KindInvalid.
	CodeInvalidDecision = "invalid_decision"
	// CodeInvalidReviewState: a review-state filter the store does not
	// know. KindInvalid.
	CodeInvalidReviewState = "invalid_review_state"
	// CodeInvalidClaim: a claim of outbox rows without a positive lease and
	// limit. KindInvalid.
	CodeInvalidClaim = "invalid_claim"
	// CodeUnencodableDecision: a decision could not be encoded. KindInternal.
	CodeUnencodableDecision = "unencodable_decision"
	// CodeUnencodableReview: a review could not be encoded. KindInternal.
	CodeUnencodableReview = "unencodable_review"
	// CodeCorruptDecision: a stored decision could not be decoded.
	// KindInternal.
	CodeCorruptDecision = "corrupt_decision"
	// CodeCorruptRow: a stored row could not be decoded. KindInternal.
	CodeCorruptRow = "corrupt_row"
)
