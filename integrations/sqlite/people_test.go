package sqlite

import (
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

func TestPeopleConformance(t *testing.T) {
	storetest.RunPeople(t, func(t *testing.T) storetest.PeopleStore { return openFresh(t) })
}

// TestReviewActionsAreKept checks the review history, which no gate
// interface reads yet: one row per action taken, never changed; and that the
// access trail is not changed either.
func TestReviewActionsAreKept(t *testing.T) {
	s, _ := openTemp(t)
	ctx := t.Context()
	d := storetest.NewDecision("client-a", "msg_1", "OSS-1")
	d.Review = &gate.Review{State: gate.ReviewOpen}
	if _, _, err := s.RecordDecision(ctx, d); err != nil {
		t.Fatal(err)
	}
	next := storetest.NewDecision("client-a", "", "OSS-1")
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	r := gate.Review{State: gate.ReviewClosed, Action: gate.ActionOverride, Note: "Data BPJS sudah diperbarui.",
		By: "reviewer-1", At: at}
	if err := s.CloseReview(ctx, d.ID, r, &next, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseReview(ctx, d.ID, r, nil, nil); gate.CodeOf(err) != gate.CodeAlreadyReviewed {
		t.Fatalf("second CloseReview: %v, want %s", err, gate.CodeAlreadyReviewed)
	}

	var decisionID, action, note, actor, atText, nextID string
	var n int
	if err := s.readers.QueryRowContext(ctx, `SELECT count(*), decision_id, action, note, actor, at, next_decision_id
		FROM review_actions`).Scan(&n, &decisionID, &action, &note, &actor, &atText, &nextID); err != nil {
		t.Fatal(err)
	}
	if n != 1 || decisionID != d.ID || action != string(r.Action) || note != r.Note || actor != r.By ||
		atText != formatTime(at) || nextID != next.ID {
		t.Errorf("review_actions holds %d rows, the first (%s, %s, %q, %s, %s, %s); want 1 of the override",
			n, decisionID, action, note, actor, atText, nextID)
	}
	if err := s.RecordAccess(ctx, gate.AuditEntry{Actor: "reviewer-1", Action: "review.override",
		Resource: "decision", ResourceID: d.ID}); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{`UPDATE review_actions SET note = 'changed'`, `DELETE FROM review_actions`,
		`UPDATE audit SET actor = 'someone'`} {
		if _, err := s.writer.ExecContext(ctx, stmt); err == nil {
			t.Errorf("%s succeeded, want it refused", stmt)
		}
	}
}

// TestMigrateKeepsEarlierDecisions migrates a database written by the first
// two migrations: its reviews are found by the queries of the later ones.
func TestMigrateKeepsEarlierDecisions(t *testing.T) {
	s := openMigratedBefore(t, "0003")
	ctx := t.Context()
	// A row as the 0001/0002 schema stored it (today's code writes columns
	// that schema lacks, so the row is written by hand).
	d := storetest.NewDecision("client-a", "msg_1", "OSS-1")
	if _, err := s.writer.ExecContext(ctx, `INSERT INTO decisions (id, application_id, nib, region_code,
		permit_type, outcome, reasons, evidence, policy_version, decided_at, review, client_id, webhook_id,
		callback_url, declared_workers) VALUES (?, 'OSS-1', '9120001234567', '1275', 'business_license',
		'deny', '[]', '{"source":"live"}', 'v1', ?, '{"state":"open"}', 'client-a', 'msg_1', '', 52)`,
		d.ID, formatTime(d.DecidedAt)); err != nil {
		t.Fatalf("insert on the 0002 schema: %v", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	open, err := s.ListReviews(ctx, gate.ReviewFilter{Scope: gate.Scope{All: true}, State: gate.ReviewOpen})
	if err != nil || len(open) != 1 || open[0].ID != d.ID {
		t.Errorf("ListReviews open after migrating: %d decisions, %v; want %s", len(open), err, d.ID)
	}
}

func TestRetentionConformance(t *testing.T) {
	storetest.RunRetention(t, func(t *testing.T) storetest.RetentionStore { return openFresh(t) })
}
