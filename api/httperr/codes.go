package httperr

// The codes of the errors only the HTTP layer answers, each spelled once,
// here; the domain's codes are gate's (gate/errcodes.go). api/openapi.yaml
// documents every code the API answers, and a test in api checks that it
// does. Codes are never renamed: clients match on them.
const (
	// CodeUnauthenticated: the bearer token is missing or invalid (401).
	CodeUnauthenticated = "unauthenticated"
	// CodeForbidden: the token's roles do not allow the operation (403).
	CodeForbidden = "forbidden"
	// CodePayloadTooLarge: the body is over the endpoint's limit (413).
	CodePayloadTooLarge = "payload_too_large"
	// CodeMalformedJSON: the body is not a strict JSON object (400).
	CodeMalformedJSON = "malformed_json"
	// CodeInvalidUpload: a multipart upload without a readable form, a
	// file, or a known kind (422).
	CodeInvalidUpload = "invalid_upload"
	// CodeInternal: anything not foreseen; the details go to the log (500).
	CodeInternal = "internal"
	// CodeRegistryUnavailable: BPJS could not be asked for a company's
	// record (503, in the companies' BPJS error body).
	CodeRegistryUnavailable = "registry_unavailable"
	// CodeImportRefused: the import's file has invalid rows or columns
	// (422, in the import report).
	CodeImportRefused = "import_refused"
)

// The webhook's codes.
const (
	// CodeMissingSignatureHeaders: a Standard Webhooks header is missing (401).
	CodeMissingSignatureHeaders = "missing_signature_headers"
	// CodeInvalidSignature: no signature matches (401).
	CodeInvalidSignature = "invalid_signature"
	// CodeTimestampOutOfTolerance: the webhook-timestamp is too far off (401).
	CodeTimestampOutOfTolerance = "timestamp_out_of_tolerance"
	// CodeUnknownClient: no webhook client has this id (404).
	CodeUnknownClient = "unknown_client"
	// CodeUnsupportedEventType: an event of another type than
	// application.submitted (422).
	CodeUnsupportedEventType = "unsupported_event_type"
)

// The codes of Echo's own refusals (no route, wrong method, ...), by
// status; not_found, unauthenticated and forbidden are shared with the
// errors above and gate's.
const (
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeBadRequest           = "bad_request"
	CodeTooManyRequests      = "too_many_requests"
	CodeUnavailable          = "unavailable"
)
