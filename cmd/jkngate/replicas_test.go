package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jkngate/jkngate/integrations/redis"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// Where the replica tests find their servers unless JKNGATE_TEST_POSTGRES_URL
// and JKNGATE_TEST_REDIS_URL say otherwise. Redis database 15 keeps test
// keys away from database 0, which a development Redis usually holds.
const (
	defaultTestPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	defaultTestRedisURL    = "redis://127.0.0.1:6379/15"
)

// needService skips (or, under CI, fails) when the server at rawURL, which
// the test needs, cannot be reached. The message names the URL tried, with
// any password masked.
func needService(t *testing.T, name, rawURL, howto string) *url.URL {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("%s URL is not valid: %v", name, err)
	}
	c, err := net.DialTimeout("tcp", u.Host, time.Second)
	if err == nil {
		c.Close()
		return u
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not reachable at %s under CI: %v", name, u.Redacted(), err)
	}
	t.Skipf("%s not reachable at %s (%v); %s", name, u.Redacted(), err, howto)
	return nil
}

// replicaEnv returns the environment shared by replicas: one fresh
// PostgreSQL schema and one Redis key prefix for this test. The schema is
// dropped and every key under the prefix deleted when the test ends.
func replicaEnv(t *testing.T, extra ...string) []string {
	t.Helper()
	pg := os.Getenv("JKNGATE_TEST_POSTGRES_URL")
	if pg == "" {
		pg = defaultTestPostgresURL
	}
	rd := os.Getenv("JKNGATE_TEST_REDIS_URL")
	if rd == "" {
		rd = defaultTestRedisURL
	}
	pgu := needService(t, "PostgreSQL", pg, "start PostgreSQL there or set JKNGATE_TEST_POSTGRES_URL")
	needService(t, "Redis", rd, "start redis-server there or set JKNGATE_TEST_REDIS_URL")

	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_replicas_" + hex.EncodeToString(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), pg)
		if err == nil {
			_, _ = conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			conn.Close(context.Background())
		}
	})
	prefix := "test:" + schema + ":"
	cleanRedisPrefix(t, rd, prefix)
	q := pgu.Query()
	q.Set("search_path", schema)
	pgu.RawQuery = q.Encode()
	return append([]string{"JKNGATE_DATABASE_URL", pgu.String(), "JKNGATE_REDIS_URL", rd,
		"JKNGATE_REDIS_PREFIX", prefix, "JKNGATE_CACHE_KEY", testCacheKey}, extra...)
}

// cleanRedisPrefix deletes, when the test ends (after the replicas it
// started have stopped), every key under prefix: the replicas leave cache
// entries and breaker state with TTLs of days otherwise.
func cleanRedisPrefix(t *testing.T, redisURL, prefix string) {
	t.Helper()
	client, err := redis.NewClient(redisURL)
	if err != nil {
		t.Fatalf("JKNGATE_TEST_REDIS_URL: %v", err)
	}
	t.Cleanup(func() {
		defer client.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := client.Scan(ctx, 0, prefix+"*", 500).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("cleanup: scan %s*: %v", prefix, err)
		}
		for len(keys) > 0 {
			n := min(len(keys), 500)
			if err := client.Del(ctx, keys[:n]...).Err(); err != nil {
				t.Errorf("cleanup: delete %s*: %v", prefix, err)
				return
			}
			keys = keys[n:]
		}
	})
}

func newSim(t *testing.T) (*bpjssim.Server, string) {
	t.Helper()
	sim := bpjssim.New(bpjssim.Config{})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, srv.URL
}

// Two replicas on one PostgreSQL and one Redis: copies of one delivery
// split across them make one decision.
func TestReplicasShareIdempotency(t *testing.T) {
	env := replicaEnv(t)
	sim, simURL := newSim(t)
	a := startReplica(t, sim, simURL, env...)
	b := startReplica(t, sim, simURL, env...)
	e, _ := sim.Data().Pick(bpjssim.ScenarioCompliant)
	app := applicationOf(e, "APP-replicas")

	ids := postCopies(t, 30, func(i int) *gateUnderTest { return []*gateUnderTest{a, b}[i%2] }, "msg_split", app)
	if !oneDecision(ids) {
		t.Fatalf("copies split across replicas got %v, want one decision id", ids)
	}
	// A re-submission through the other replica supersedes it.
	_, d2 := b.post(t, "msg_split_2", app)
	if d2.Supersedes == nil || *d2.Supersedes != ids[0] {
		t.Fatalf("re-submission through replica B: %+v, want it to supersede %s", d2, ids[0])
	}
}

// readyInfo reads /readyz's breaker states.
func breakerStates(t *testing.T, g *gateUnderTest) map[string]string {
	t.Helper()
	resp, err := http.Get(g.base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Info struct {
			Breakers map[string]string `json:"bpjs_breakers"`
		} `json:"info"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return body.Info.Breakers
}

// A breaker opened by one replica is open in the other, which then makes no
// BPJS call at all.
func TestReplicasShareTheBreaker(t *testing.T) {
	env := replicaEnv(t)
	sim, simURL := newSim(t)
	a := startReplica(t, sim, simURL, env...)
	b := startReplica(t, sim, simURL, env...)
	if err := sim.SetFaults(bpjssim.Faults{Outage: true}); err != nil {
		t.Fatal(err)
	}
	data := sim.Data()
	for i := 0; i < 20 && breakerStates(t, a)["employer"] != "open"; i++ {
		e := data.Employers[i]
		_, d := a.post(t, fmt.Sprintf("msg_trip_%d", i), map[string]any{"application_id": fmt.Sprintf("APP-trip-%d", i),
			"nib": e.NIB, "region_code": e.RegionCode, "permit_type": "tender", "declared_workers": 1})
		if d.codes() != "REGISTRY_UNAVAILABLE" {
			t.Fatalf("during the outage: %s", d.codes())
		}
	}
	if s := breakerStates(t, a)["employer"]; s != "open" {
		t.Fatalf("replica A's employer breaker is %q after the outage, want open", s)
	}
	if s := breakerStates(t, b)["employer"]; s != "open" {
		t.Fatalf("replica B's employer breaker is %q, want open (shared through Redis)", s)
	}
	sim.ResetStats()
	for i := 50; i < 60; i++ {
		e := data.Employers[i]
		_, d := b.post(t, fmt.Sprintf("msg_b_%d", i), map[string]any{"application_id": fmt.Sprintf("APP-b-%d", i),
			"nib": e.NIB, "region_code": e.RegionCode, "permit_type": "tender", "declared_workers": 1})
		if d.codes() != "REGISTRY_UNAVAILABLE" {
			t.Fatalf("replica B with the breaker open: %s", d.codes())
		}
	}
	if calls := sim.Stats().EmployerCalls; calls != 0 {
		t.Errorf("replica B made %d employer calls with the shared breaker open, want 0", calls)
	}
}

// slowReceiver holds the first delivery until its sender goes away, then
// accepts the next; it counts accepted deliveries per webhook-id.
type slowReceiver struct {
	mu       sync.Mutex
	attempts int
	accepted map[string]int
	first    chan struct{}
}

func (r *slowReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	_, _ = io.ReadAll(req.Body)
	r.mu.Lock()
	r.attempts++
	n := r.attempts
	r.mu.Unlock()
	if n == 1 {
		close(r.first)
		select { // hold it: the replica sending it is killed meanwhile
		case <-req.Context().Done():
		case <-time.After(20 * time.Second):
		}
		return
	}
	r.mu.Lock()
	r.accepted[req.Header.Get("webhook-id")]++
	r.mu.Unlock()
}

// A callback is delivered exactly once while the replica delivering it is
// killed mid-delivery: its lease runs out and the other replica delivers.
func TestReplicaKilledDuringCallbackDelivery(t *testing.T) {
	env := replicaEnv(t, "JKNGATE_JWT_HS256_SECRET", testHS256, "JKNGATE_CALLBACK_ALLOW_PRIVATE", "true",
		"JKNGATE_CALLBACK_TIMEOUT", "2s")
	sim, simURL := newSim(t)
	rc := &slowReceiver{accepted: map[string]int{}, first: make(chan struct{})}
	hook := httptest.NewServer(rc)
	defer hook.Close()

	a := startReplica(t, sim, simURL, env...)
	e, _ := sim.Data().Pick(bpjssim.ScenarioUnderRegistered)
	app := applicationOf(e, "APP-kill")
	app["callback_url"] = hook.URL
	_, d := a.post(t, "msg_kill", app)
	review(t, a, d.DecisionID, "override", "verified on site by the branch office")

	select {
	case <-rc.first:
	case <-time.After(10 * time.Second):
		t.Fatal("replica A never attempted the callback")
	}
	b := startReplica(t, sim, simURL, env...)
	a.stop(t) // killed mid-delivery: the attempt is abandoned, its lease stays

	waitFor(25*time.Second, 100*time.Millisecond, func() bool {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		return len(rc.accepted) > 0
	})
	// Room for a duplicate, were there one: wait until B has recorded the
	// delivery (nothing left pending), then stop it, so that no replica is
	// left to send again.
	if !waitFor(10*time.Second, 50*time.Millisecond, func() bool { return pendingCallbacks(t, env) == 0 }) {
		t.Errorf("%d callbacks still pending after the delivery", pendingCallbacks(t, env))
	}
	b.stop(t)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.accepted) != 1 {
		t.Fatalf("accepted deliveries by webhook-id: %v; want exactly one callback", rc.accepted)
	}
	for id, n := range rc.accepted {
		if n != 1 {
			t.Errorf("callback %s accepted %d times, want once", id, n)
		}
	}
	if rc.attempts != 2 {
		t.Errorf("%d attempts reached the receiver, want 2: the abandoned one and B's", rc.attempts)
	}
}

// pendingCallbacks counts the callbacks still pending in the replicas'
// database (JKNGATE_DATABASE_URL in env), or fails t.
func pendingCallbacks(t *testing.T, env []string) int {
	t.Helper()
	url := ""
	for i := 0; i+1 < len(env); i += 2 {
		if env[i] == "JKNGATE_DATABASE_URL" {
			url = env[i+1]
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM callbacks WHERE state = 'pending'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// review posts a review action with a reviewer token for every region.
func review(t *testing.T, g *gateUnderTest, id, action, note string) decisionDoc {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"action": action, "note": note})
	req, _ := http.NewRequest(http.MethodPost, g.base+"/v1/decisions/"+id+"/review", bytesReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+hs256Token(t, "reviewer-1", []string{"admin", "reviewer"}, nil))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var next decisionDoc
	_ = json.NewDecoder(resp.Body).Decode(&next)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("review %s: HTTP %d", action, resp.StatusCode)
	}
	return next
}

// The replicas' Redis keys are gone when a test using replicaEnv ends.
func TestReplicaEnvDeletesItsRedisKeys(t *testing.T) {
	var rd, prefix string
	t.Run("user", func(t *testing.T) {
		env := replicaEnv(t)
		for i := 0; i+1 < len(env); i += 2 {
			switch env[i] {
			case "JKNGATE_REDIS_URL":
				rd = env[i+1]
			case "JKNGATE_REDIS_PREFIX":
				prefix = env[i+1]
			}
		}
		client, err := redis.NewClient(rd)
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		for i := range 3 {
			if err := client.Set(context.Background(), fmt.Sprintf("%scache:k%d", prefix, i), "v", 72*time.Hour).Err(); err != nil {
				t.Fatal(err)
			}
		}
	})
	if prefix == "" {
		t.Skip("the subtest skipped")
	}
	client, err := redis.NewClient(rd)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	keys, err := client.Keys(context.Background(), prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 0 {
		t.Errorf("keys left under %s: %v", prefix, keys)
	}
}
