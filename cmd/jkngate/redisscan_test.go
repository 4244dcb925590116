package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/jkngate/jkngate/integrations/redis"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// redisEnv returns the environment that gives a gate the test Redis
// (JKNGATE_TEST_REDIS_URL) under a key prefix of the test's own, and the
// prefix.
func redisEnv(t *testing.T) (env []string, redisURL, prefix string) {
	t.Helper()
	rd := os.Getenv("JKNGATE_TEST_REDIS_URL")
	if rd == "" {
		rd = defaultTestRedisURL
	}
	needService(t, "Redis", rd, "start redis-server there or set JKNGATE_TEST_REDIS_URL")
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix = "test:scan_" + hex.EncodeToString(b) + ":"
	return []string{"JKNGATE_REDIS_URL", rd, "JKNGATE_REDIS_PREFIX", prefix, "JKNGATE_CACHE_KEY", testCacheKey}, rd, prefix
}

// A full run with Redis — webhooks listing workers, an outage, people's
// requests and a review — leaves no NIK, card number, name or birth date in
// any Redis key or value under the gate's prefix.
func TestRedisNeverHoldsPersonalData(t *testing.T) {
	env, rd, prefix := redisEnv(t)
	g := startGate(t, append(env, "JKNGATE_JWT_HS256_SECRET", testHS256)...)
	data := g.sim.Data()
	var personal []string
	var deny decisionDoc
	for i, s := range bpjssim.Scenarios {
		e, _ := data.Pick(s)
		for _, nik := range e.Workers {
			personal = append(personal, nik)
			if p, ok := data.Participant(nik); ok {
				personal = append(personal, p.Name, p.CardNumber, p.BirthDate)
			}
		}
		_, d := g.post(t, fmt.Sprintf("msg_scan_%d", i), applicationOf(e, "APP-scan-"+string(s)))
		if d.Outcome == "deny" && deny.DecisionID == "" {
			deny = d
		}
	}
	e, _ := data.Pick(bpjssim.ScenarioWorkerNotRegistered)
	if err := g.sim.SetFaults(bpjssim.Faults{Outage: true}); err != nil {
		t.Fatal(err)
	}
	g.post(t, "msg_scan_outage", applicationOf(e, "APP-scan-outage"))
	_ = g.sim.SetFaults(bpjssim.Faults{})
	token := hs256Token(t, "reviewer-scan", []string{"admin", "reviewer"}, nil)
	for _, path := range []string{"/v1/decisions", "/v1/companies/" + e.NIB} {
		req, _ := http.NewRequest(http.MethodGet, g.base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	review(t, g, deny.DecisionID, "uphold", "the employer must register its workers first")
	g.stop(t)

	client, err := redis.NewClient(rd)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()
	var keys []string
	iter := client.Scan(ctx, 0, prefix+"*", 500).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Del(context.Background(), keys...) })
	participants := 0
	for _, k := range keys {
		if strings.HasPrefix(k, prefix+"cache:participant:") {
			participants++
		}
		val, err := client.Get(ctx, k).Bytes()
		if err != nil {
			val = []byte(client.Dump(ctx, k).Val()) // not a string: scan its serialized form
		}
		for _, s := range personal {
			if s == "" {
				continue
			}
			if strings.Contains(k, s) {
				t.Errorf("Redis key %q shows %q", k, s)
			}
			if bytes.Contains(val, []byte(s)) {
				t.Errorf("the value of Redis key %q shows %q", k, s)
			}
		}
	}
	if participants < 20 || len(personal) < 60 {
		t.Fatalf("%d participant entries and %d personal values: too few for a fair test", participants, len(personal))
	}
}
