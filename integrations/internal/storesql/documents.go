package storesql

import (
	"fmt"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/decisiondoc"
)

// Documents are a decision's JSON columns (reasons, evidence, review,
// application) as text, the documents of package decisiondoc in both
// stores, so that data moves between them unchanged. A nil Review or
// Application is NULL.
type Documents struct {
	Reasons, Evidence   string
	Review, Application *string
}

// EncodeDocuments returns d's documents. It fails only for details that
// encoding/json cannot encode, which is a bug in whoever built them: a
// *gate.Error of KindInternal, code unencodable_decision.
func EncodeDocuments(d gate.Decision) (Documents, error) {
	docs, err := encodeDocuments(d)
	if err != nil {
		return Documents{}, gate.Errorf(gate.KindInternal, gate.CodeUnencodableDecision,
			"could not encode decision %s: %w", d.ID, err)
	}
	return docs, nil
}

func encodeDocuments(d gate.Decision) (Documents, error) {
	reasons, err := decisiondoc.EncodeReasons(d.Reasons)
	if err != nil {
		return Documents{}, fmt.Errorf("encode reasons: %w", err)
	}
	evidence, err := decisiondoc.EncodeEvidence(d.Evidence)
	if err != nil {
		return Documents{}, fmt.Errorf("encode evidence: %w", err)
	}
	docs := Documents{Reasons: string(reasons), Evidence: string(evidence)}
	if rv := d.Review; rv != nil {
		b, err := decisiondoc.EncodeReview(*rv)
		if err != nil {
			return Documents{}, fmt.Errorf("encode review: %w", err)
		}
		s := string(b)
		docs.Review = &s
	}
	if docs.Application, err = EncodeApplication(d.Application); err != nil {
		return Documents{}, fmt.Errorf("encode application: %w", err)
	}
	return docs, nil
}

// EncodeNew is RecordDecision's encoding of a new decision d as a store's
// row (encode, which fails as EncodeDocuments does). Errors are
// *gate.Error: KindInvalid when d has no ID, ClientID or WebhookID (the
// webhook delivery it answers), else encode's.
func EncodeNew[Row any](d gate.Decision, encode func(gate.Decision) (Row, error)) (Row, error) {
	if d.ID == "" || d.ClientID == "" || d.WebhookID == "" {
		var none Row
		return none, gate.Errorf(gate.KindInvalid, gate.CodeInvalidDecision,
			"a decision to record needs an id, a client id and a webhook id")
	}
	return encode(d)
}

// Decode sets d's Reasons, Evidence, Review and Application from the
// documents of decision id. Numbers in reason details come back as int
// when they are integers and as float64 otherwise (see
// decisiondoc.DecodeReasons). Its errors name the decision and the column.
func (docs Documents) Decode(id string, d *gate.Decision) error {
	var err error
	if d.Reasons, err = decisiondoc.DecodeReasons([]byte(docs.Reasons)); err != nil {
		return fmt.Errorf("decision %s: reasons: %w", id, err)
	}
	if d.Evidence, err = decisiondoc.DecodeEvidence([]byte(docs.Evidence)); err != nil {
		return fmt.Errorf("decision %s: evidence: %w", id, err)
	}
	if d.Application, err = DecodeApplication(docs.Application); err != nil {
		return fmt.Errorf("decision %s: application: %w", id, err)
	}
	if docs.Review != nil {
		rv, err := decisiondoc.DecodeReview([]byte(*docs.Review))
		if err != nil {
			return fmt.Errorf("decision %s: review: %w", id, err)
		}
		d.Review = &rv
	}
	return nil
}

// EncodeApplication returns the application column: nil (NULL) for a
// decision without an application.
func EncodeApplication(a gate.Application) (*string, error) {
	b, err := decisiondoc.EncodeApplication(a)
	if err != nil || b == nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

// DecodeApplication reads the application column; nil (NULL) is the zero
// application.
func DecodeApplication(s *string) (gate.Application, error) {
	if s == nil {
		return gate.Application{}, nil
	}
	return decisiondoc.DecodeApplication([]byte(*s))
}

// CorruptDecision is the error of a stored decision that cannot be
// decoded: a *gate.Error of KindInternal, code corrupt_decision, wrapping
// err.
func CorruptDecision(err error) error {
	return gate.Errorf(gate.KindInternal, gate.CodeCorruptDecision, "could not decode a stored decision: %w", err)
}

// CorruptRow is the error of another stored row that cannot be decoded: a
// *gate.Error of KindInternal, code corrupt_row, wrapping err.
func CorruptRow(what string, err error) error {
	return gate.Errorf(gate.KindInternal, gate.CodeCorruptRow, "could not decode %s: %w", what, err)
}

// MaskedApplication is one change of the retention job: decision ID's
// application document with its workers' NIKs masked (nil: NULL).
type MaskedApplication struct {
	ID          string
	Application *string
}

// ReadMasked reads a row of a decision's id and application document (NULL
// or not) as its MaskedApplication (MaskWorkers). Errors are the driver's
// from Scan as they are, else *gate.Error of KindInternal: corrupt_decision
// when the document cannot be decoded, unencodable_decision when the
// masked one cannot be encoded.
func ReadMasked(rows Rows) (MaskedApplication, error) {
	var id string
	var raw *string
	if err := rows.Scan(&id, &raw); err != nil {
		return MaskedApplication{}, err
	}
	app, err := DecodeApplication(raw)
	if err != nil {
		return MaskedApplication{}, gate.Errorf(gate.KindInternal, gate.CodeCorruptDecision, "decision %s: application: %w", id, err)
	}
	enc, err := EncodeApplication(MaskWorkers(app))
	if err != nil {
		return MaskedApplication{}, gate.Errorf(gate.KindInternal, gate.CodeUnencodableDecision, "decision %s: %w", id, err)
	}
	return MaskedApplication{ID: id, Application: enc}, nil
}

// MaskWorkers returns app with each worker's NIK masked (gate.MaskNIK):
// what the retention job leaves of a decided application.
func MaskWorkers(app gate.Application) gate.Application {
	for i, w := range app.Workers {
		app.Workers[i].NIK = gate.MaskNIK(w.NIK)
	}
	return app
}
