package sqlite

import (
	"time"

	"github.com/jkngate/jkngate/gate"

	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// dialect is SQLite's spelling of the SQL the stores share (package
// storesql): ? placeholders, times as timeLayout text, lists and page
// limits written into the statement.
var dialect = &storesql.Dialect{Time: func(t time.Time) any { return formatTime(t) }}

// readDecision returns a reader of decision rows for storesql.Each: scan
// errors are translated as what failed, undecodable rows are
// corrupt_decision.
func readDecision(what string) func(storesql.Rows) (gate.Decision, error) {
	return func(rows storesql.Rows) (gate.Decision, error) {
		var r decisionRow
		if err := r.scan(rows); err != nil {
			return gate.Decision{}, translate(what, err)
		}
		return decodeRow(r)
	}
}

// failed returns the translation of errors of what for storesql.Each.
func failed(what string) func(error) error {
	return func(err error) error { return translate(what, err) }
}
