package postgres

import (
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/decisiondoc"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
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

// encodeApplication returns nil (NULL) for an application without an id.
func encodeApplication(a gate.Application) (*string, error) { return storesql.EncodeApplication(a) }

// decodeApplication reads the application column; nil (NULL) is the zero
// application.
func decodeApplication(s *string) (gate.Application, error) { return storesql.DecodeApplication(s) }
