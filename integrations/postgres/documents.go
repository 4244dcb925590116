package postgres

import (
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/decisiondoc"
)

// The jsonb columns reasons, evidence, review and application hold the
// documents of package decisiondoc, which the SQLite store holds too, so
// that data moves between the two stores unchanged. jsonb keeps neither key
// order nor whitespace, which decoding ignores; it keeps numbers as numeric,
// so 52 comes back as 52 and 12345678901 without loss.

// encodeReview returns the review column's text.
func encodeReview(r gate.Review) (string, error) {
	b, err := decisiondoc.EncodeReview(r)
	return string(b), err
}
