package storesql

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// The two dialects as the stores set them (their Time encodings stand in).
var (
	lite = &Dialect{Time: func(t time.Time) any { return t.UTC().Format(time.RFC3339Nano) }}
	pg   = &Dialect{Numbered: true, Time: func(t time.Time) any { return t.UTC() },
		ArrayParams: true, LimitParam: true, SkipLocked: true, ByteOrder: ` COLLATE "C"`}
)

func TestRebind(t *testing.T) {
	q := `SELECT a FROM t WHERE b = ? AND c = '?' AND "d?" = ? AND e IN (?, ?)`
	if got := lite.Rebind(q); got != q {
		t.Errorf("SQLite Rebind changed %q to %q", q, got)
	}
	want := `SELECT a FROM t WHERE b = $1 AND c = '?' AND "d?" = $2 AND e IN ($3, $4)`
	if got := pg.Rebind(q); got != want {
		t.Errorf("PostgreSQL Rebind = %q, want %q", got, want)
	}
}

func TestPageLimit(t *testing.T) {
	for _, c := range []struct{ in, want int }{
		{-1, gate.DefaultPageSize}, {0, gate.DefaultPageSize}, {1, 1},
		{gate.MaxPageSize, gate.MaxPageSize}, {gate.MaxPageSize + 1, gate.MaxPageSize},
	} {
		if got := PageLimit(c.in); got != c.want {
			t.Errorf("PageLimit(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestAddScope(t *testing.T) {
	cases := []struct {
		name      string
		scope     gate.Scope
		lite, pg  string
		liteArgs  []any
		pgArgs    []any
		noClauses bool
	}{
		{name: "all", scope: gate.Scope{All: true}, noClauses: true},
		{name: "nothing", scope: gate.Scope{}, lite: " WHERE 1 = 0", pg: " WHERE 1 = 0"},
		{name: "regencies", scope: gate.Scope{Regions: []string{"3171", "3273"}},
			lite: " WHERE c IN (?, ?)", liteArgs: []any{"3171", "3273"},
			pg: " WHERE c = ANY($1::text[])", pgArgs: []any{[]string{"3171", "3273"}}},
		{name: "a province and a regency", scope: gate.Scope{Regions: []string{"31", "3273"}},
			lite:     " WHERE (c IN (?, ?) OR (length(c) = 4 AND substr(c, 1, 2) IN (?)))",
			liteArgs: []any{"31", "3273", "31"},
			pg:       " WHERE (c = ANY($1::text[]) OR (length(c) = 4 AND substr(c, 1, 2) = ANY($2::text[])))",
			pgArgs:   []any{[]string{"31", "3273"}, []string{"31"}}},
	}
	for _, c := range cases {
		for _, d := range []struct {
			name    string
			dialect *Dialect
			want    string
			args    []any
		}{{"sqlite", lite, c.lite, c.liteArgs}, {"postgres", pg, c.pg, c.pgArgs}} {
			w := d.dialect.Where()
			w.AddScope("c", c.scope)
			if got := w.String(); got != d.want {
				t.Errorf("%s, %s: %q, want %q", c.name, d.name, got, d.want)
			}
			if !equalArgs(w.Args(), d.args) {
				t.Errorf("%s, %s: args %v, want %v", c.name, d.name, w.Args(), d.args)
			}
		}
	}
}

func TestAddRegion(t *testing.T) {
	w := pg.Where()
	w.AddRegion("c", "31")
	want := " WHERE (c = $1 OR (length(c) = 4 AND substr(c, 1, 2) = $2))"
	if got := w.String(); got != want || !equalArgs(w.Args(), []any{"31", "31"}) {
		t.Errorf("province: %q %v, want %q [31 31]", got, w.Args(), want)
	}
	w = lite.Where()
	w.AddRegion("c", "3171")
	if got := w.String(); got != " WHERE c = ?" || !equalArgs(w.Args(), []any{"3171"}) {
		t.Errorf("regency: %q %v, want \" WHERE c = ?\" [3171]", got, w.Args())
	}
}

// TestPlaceholdersMatchArgs checks, for every shared query and filter, that
// each dialect's statement has one placeholder per argument, in order: the
// mistake a shared builder could make for one database and not the other.
func TestPlaceholdersMatchArgs(t *testing.T) {
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	full := gate.DecisionFilter{Scope: gate.Scope{Regions: []string{"31", "3273"}}, NIB: "1234567890123",
		ApplicationID: "OSS-1", Outcome: gate.Outcome("ALLOW"), Region: "32", Since: at, Until: at.Add(time.Hour),
		HeadsOnly: true, After: "dec_X", Limit: 20}
	filters := []gate.DecisionFilter{{}, {Scope: gate.Scope{All: true}}, full}
	reviews := []gate.ReviewFilter{
		{Scope: gate.Scope{All: true}, State: gate.ReviewOpen},
		{Scope: gate.Scope{Regions: []string{"31"}}, State: gate.ReviewOpen, NIB: "1", Overdue: true, Now: at, After: "dec_X", Limit: 5},
		{Scope: gate.Scope{Regions: []string{"3171"}}, State: gate.ReviewClosed, After: "dec_X"},
	}
	audits := []gate.AuditFilter{{}, {Actor: "a", Action: "b", ResourceID: "c", Since: at, Until: at, After: "aud_X", Limit: 9}}
	for _, d := range []*Dialect{lite, pg} {
		check := func(what, q string, args []any) {
			t.Helper()
			if n := placeholders(t, d, q); n != len(args) {
				t.Errorf("%s (numbered %v): %d placeholders, %d args: %s", what, d.Numbered, n, len(args), q)
			}
		}
		for i, f := range filters {
			q, args := ListDecisions(d, f)
			check("ListDecisions "+strconv.Itoa(i), q, args)
			q, args = EachDecision(d, f)
			check("EachDecision "+strconv.Itoa(i), q, args)
			q, args = DecisionCounts(d, f)
			check("DecisionCounts "+strconv.Itoa(i), q, args)
		}
		for i, f := range reviews {
			q, args, err := ListReviews(d, f)
			if err != nil {
				t.Fatal(err)
			}
			check("ListReviews "+strconv.Itoa(i), q, args)
			q, args, err = CountReviews(d, f)
			if err != nil {
				t.Fatal(err)
			}
			check("CountReviews "+strconv.Itoa(i), q, args)
		}
		for i, f := range audits {
			q, args := ListAudit(d, f)
			check("ListAudit "+strconv.Itoa(i), q, args)
		}
		check("ClaimCallbacks", ClaimCallbacks(d), make([]any, 4))
		check("ClaimRechecks", ClaimRechecks(d), make([]any, 4))
	}
}

// placeholders counts q's parameters: its ?s for SQLite; for PostgreSQL
// its highest $n, after checking that $1 to $n all appear.
func placeholders(t *testing.T, d *Dialect, q string) int {
	t.Helper()
	if !d.Numbered {
		if regexp.MustCompile(`\$\d`).MatchString(q) {
			t.Errorf("SQLite statement with a numbered placeholder: %s", q)
		}
		return strings.Count(q, "?")
	}
	if strings.Contains(q, "?") {
		t.Errorf("PostgreSQL statement with a ?: %s", q)
	}
	highest := 0
	seen := map[int]bool{}
	for _, m := range regexp.MustCompile(`\$(\d+)`).FindAllStringSubmatch(q, -1) {
		n, _ := strconv.Atoi(m[1])
		seen[n] = true
		highest = max(highest, n)
	}
	for n := 1; n <= highest; n++ {
		if !seen[n] {
			t.Errorf("$%d missing: %s", n, q)
		}
	}
	return highest
}

func TestLimit(t *testing.T) {
	q, args := ListDecisions(lite, gate.DecisionFilter{Scope: gate.Scope{All: true}, Limit: 1000})
	if !strings.HasSuffix(q, " LIMIT 500") || len(args) != 0 {
		t.Errorf("SQLite: %q %v, want a literal LIMIT 500 and no args", q, args)
	}
	q, args = ListDecisions(pg, gate.DecisionFilter{Scope: gate.Scope{All: true}})
	if !strings.HasSuffix(q, " LIMIT $1") || !equalArgs(args, []any{gate.DefaultPageSize}) {
		t.Errorf("PostgreSQL: %q %v, want LIMIT $1 with %d", q, args, gate.DefaultPageSize)
	}
}

func TestListReviewsRefusesAnUnknownState(t *testing.T) {
	_, _, err := ListReviews(pg, gate.ReviewFilter{Scope: gate.Scope{All: true}, State: "pending"})
	if gate.KindOf(err) != gate.KindInvalid {
		t.Errorf("ListReviews(state pending) = %v, want KindInvalid", err)
	}
	if _, _, err := CountReviews(lite, gate.ReviewFilter{State: ""}); gate.KindOf(err) != gate.KindInvalid {
		t.Errorf("CountReviews(no state) = %v, want KindInvalid", err)
	}
}

func TestClaimStatements(t *testing.T) {
	for _, c := range []struct {
		q       string
		dialect *Dialect
		want    []string
		not     []string
	}{
		{ClaimCallbacks(pg), pg, []string{"FOR UPDATE OF o SKIP LOCKED", `e.id COLLATE "C" < o.id COLLATE "C"`}, nil},
		{ClaimRechecks(pg), pg, []string{"LIMIT $4 FOR UPDATE SKIP LOCKED)"}, nil},
		{ClaimCallbacks(lite), lite, []string{"e.id < o.id"}, []string{"FOR UPDATE", "COLLATE"}},
		{ClaimRechecks(lite), lite, nil, []string{"FOR UPDATE"}},
	} {
		for _, s := range c.want {
			if !strings.Contains(c.q, s) {
				t.Errorf("claim (numbered %v) lacks %q: %s", c.dialect.Numbered, s, c.q)
			}
		}
		for _, s := range c.not {
			if strings.Contains(c.q, s) {
				t.Errorf("claim (numbered %v) holds %q: %s", c.dialect.Numbered, s, c.q)
			}
		}
	}
}

func TestSortCallbacks(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cs := []gate.Callback{{ID: "cb_2", NextAttempt: at}, {ID: "cb_3", NextAttempt: at.Add(-time.Second)}, {ID: "cb_1", NextAttempt: at}}
	SortCallbacks(cs)
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	if want := []string{"cb_3", "cb_1", "cb_2"}; !slices.Equal(ids, want) {
		t.Errorf("SortCallbacks: %v, want %v", ids, want)
	}
	rs := []gate.Recheck{{DecisionID: "b", NextAttempt: at}, {DecisionID: "a", NextAttempt: at}, {DecisionID: "c", NextAttempt: at.Add(-1)}}
	SortRechecks(rs)
	if rs[0].DecisionID != "c" || rs[1].DecisionID != "a" || rs[2].DecisionID != "b" {
		t.Errorf("SortRechecks: %v, want c, a, b", rs)
	}
}

func TestCheckClaim(t *testing.T) {
	if err := CheckClaim(time.Second, 1); err != nil {
		t.Errorf("CheckClaim(1s, 1) = %v", err)
	}
	for _, c := range []struct {
		lease time.Duration
		limit int
	}{{0, 1}, {time.Second, 0}, {-time.Second, 5}} {
		if err := CheckClaim(c.lease, c.limit); gate.KindOf(err) != gate.KindInvalid {
			t.Errorf("CheckClaim(%v, %d) = %v, want KindInvalid", c.lease, c.limit, err)
		}
	}
}

func TestCheckFollows(t *testing.T) {
	next := gate.Decision{ID: "dec_2", ApplicationID: "OSS-1", ClientID: "c1"}
	if err := CheckFollows(next, "c1", "OSS-1", "dec_1"); err != nil {
		t.Errorf("same application: %v", err)
	}
	for _, c := range []struct{ client, app string }{{"c2", "OSS-1"}, {"c1", "OSS-2"}} {
		err := CheckFollows(next, c.client, c.app, "dec_1")
		if gate.KindOf(err) != gate.KindInvalid || !strings.Contains(err.Error(), "dec_1") {
			t.Errorf("CheckFollows(%s, %s) = %v, want KindInvalid naming dec_1", c.client, c.app, err)
		}
	}
	if err := AlreadyReviewed("dec_1"); gate.KindOf(err) != gate.KindConflict || gate.CodeOf(err) != gate.CodeAlreadyReviewed {
		t.Errorf("AlreadyReviewed = %v", err)
	}
}

func TestDocumentsRoundTrip(t *testing.T) {
	d := gate.Decision{ID: "dec_1",
		Reasons:     []gate.Reason{{Code: "EMPLOYER_ACTIVE", Details: map[string]any{"workers": 52}}},
		Review:      &gate.Review{State: gate.ReviewOpen, Note: "check"},
		Application: gate.Application{ID: "OSS-1", Workers: []gate.Worker{{NIK: "3171234567890123"}}},
	}
	docs, err := EncodeDocuments(d)
	if err != nil {
		t.Fatal(err)
	}
	if docs.Review == nil || docs.Application == nil {
		t.Fatalf("EncodeDocuments: review %v, application %v; want both", docs.Review, docs.Application)
	}
	var got gate.Decision
	if err := docs.Decode("dec_1", &got); err != nil {
		t.Fatal(err)
	}
	if got.Reasons[0].Details["workers"] != 52 || got.Review == nil || got.Review.Note != "check" ||
		got.Application.Workers[0].NIK != "3171234567890123" {
		t.Errorf("round trip: %+v", got)
	}

	none, err := EncodeDocuments(gate.Decision{ID: "dec_2"})
	if err != nil || none.Review != nil || none.Application != nil {
		t.Errorf("EncodeDocuments(no review, no application) = %+v, %v; want NULLs", none, err)
	}

	bad := Documents{Reasons: "{not json", Evidence: docs.Evidence}
	err = bad.Decode("dec_9", &got)
	if err == nil || !strings.Contains(err.Error(), "decision dec_9: reasons") {
		t.Errorf("Decode(corrupt reasons) = %v, want an error naming dec_9's reasons", err)
	}
	if ce := CorruptDecision(err); gate.KindOf(ce) != gate.KindInternal || !errors.Is(ce, err) {
		t.Errorf("CorruptDecision = %v, want KindInternal wrapping the cause", ce)
	}
}

func TestMaskWorkers(t *testing.T) {
	app := MaskWorkers(gate.Application{Workers: []gate.Worker{{NIK: "3171234567890123"}}})
	if nik := app.Workers[0].NIK; nik != gate.MaskNIK("3171234567890123") || nik == "3171234567890123" {
		t.Errorf("MaskWorkers left NIK %q", nik)
	}
}

// fakeRows are n rows of one int each, then err.
type fakeRows struct {
	n, i int
	err  error
}

func (r *fakeRows) Next() bool { r.i++; return r.i <= r.n }
func (r *fakeRows) Scan(dest ...any) error {
	*dest[0].(*int) = r.i
	return nil
}
func (r *fakeRows) Err() error { return r.err }

func readInt(rows Rows) (int, error) {
	var v int
	err := rows.Scan(&v)
	return v, err
}

func TestEachAndCollect(t *testing.T) {
	translated := errors.New("translated")
	failed := func(err error) error { return errors.Join(translated, err) }

	got, err := Collect(&fakeRows{n: 3}, readInt, failed)
	if err != nil || !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("Collect = %v, %v; want [1 2 3]", got, err)
	}
	if got, err := Collect(&fakeRows{}, readInt, failed); err != nil || got == nil || len(got) != 0 {
		t.Errorf("Collect(no rows) = %#v, %v; want an empty, non-nil slice", got, err)
	}

	broken := errors.New("connection lost")
	if _, err := Collect(&fakeRows{n: 1, err: broken}, readInt, failed); !errors.Is(err, translated) || !errors.Is(err, broken) {
		t.Errorf("Collect(rows failing) = %v, want it through failed", err)
	}

	stop := errors.New("stop")
	seen := 0
	err = Each(&fakeRows{n: 5}, readInt, func(v int) error {
		seen = v
		if v == 2 {
			return stop
		}
		return nil
	}, failed)
	if err != stop || seen != 2 {
		t.Errorf("Each = %v after row %d, want fn's error as is after row 2", err, seen)
	}

	readErr := errors.New("corrupt")
	_, err = Collect(&fakeRows{n: 2}, func(Rows) (int, error) { return 0, readErr }, failed)
	if err != readErr {
		t.Errorf("Collect(read failing) = %v, want read's error as is", err)
	}
}

func equalArgs(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		as, aok := a[i].([]string)
		bs, bok := b[i].([]string)
		if aok || bok {
			if !slices.Equal(as, bs) {
				return false
			}
			continue
		}
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
