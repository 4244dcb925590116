package postgres

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

// TestAsStoredIsTheDecodedRow: with PostgreSQL's column times (UTC,
// microseconds), storesql.AsStored gives what decoding the encoded row
// gives (storesql's TestAsStoredIsDecode checks the documents).
func TestAsStoredIsTheDecodedRow(t *testing.T) {
	prev := "dec_01JD3Z0000000000000000001"
	noValidity := storetest.NewDecision("client-a", "msg_2", "OSS-2")
	noValidity.ValidUntil = time.Time{}
	for name, tc := range map[string]struct {
		d          gate.Decision
		supersedes *string
	}{
		"storetest":   {storetest.NewDecision("client-a", "msg_1", "OSS-1"), &prev},
		"no validity": {noValidity, nil},
	} {
		row, err := encodeDecision(tc.d)
		if err != nil {
			t.Fatal(err)
		}
		row.Supersedes = tc.supersedes
		want, err := decodeRow(row)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := storesql.AsStored(tc.d, deref(tc.supersedes), columnTime)
		if !ok || !reflect.DeepEqual(want, got) {
			t.Errorf("%s: ok %v, diff (-decoded +AsStored):\n%s", name, ok, cmp.Diff(want, got))
		}
	}
}
