package redis_test

import (
	"context"
	"fmt"
	neturl "net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/decorators/cache"
	jredis "github.com/jkngate/jkngate/integrations/redis"
)

// defaultTestURL is the Redis the tests use unless JKNGATE_TEST_REDIS_URL
// names another: database 15, to stay clear of the default database 0 that
// a development Redis usually holds.
const defaultTestURL = "redis://127.0.0.1:6379/15"

// testRedis connects to the test Redis server (JKNGATE_TEST_REDIS_URL, or
// defaultTestURL) and returns a client and a key prefix of the test's own;
// the keys under it are deleted when the test ends. It skips the test when
// Redis is not reachable, and fails it instead when CI=true.
func testRedis(t testing.TB) (goredis.UniversalClient, string) {
	t.Helper()
	url := os.Getenv("JKNGATE_TEST_REDIS_URL")
	if url == "" {
		url = defaultTestURL
	}
	client, err := jredis.NewClient(url)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis not reachable at %s (%v); CI needs a Redis server", redacted(url), err)
		}
		t.Skipf("redis not reachable at %s (%v); start redis-server or set JKNGATE_TEST_REDIS_URL", redacted(url), err)
	}
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	prefix := fmt.Sprintf("jkngate-test:%s:%d:", name, time.Now().UnixNano())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var keys []string
		iter := client.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			if err := client.Del(ctx, keys...).Err(); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
		_ = client.Close()
	})
	return client, prefix
}

// redacted is u with any password masked, for messages.
func redacted(u string) string {
	p, err := neturl.Parse(u)
	if err != nil {
		return "(JKNGATE_TEST_REDIS_URL, not a valid URL)"
	}
	return p.Redacted()
}

// countingInner is a hand-written inner registry that counts calls and can
// be told to fail.
type countingInner struct {
	employerCalls, participantCalls atomic.Int64
	fail                            atomic.Bool
}

var errBPJSDown = gate.Errorf(gate.KindUnavailable, "bpjs_http_503", "fake: BPJS answered 503")

func (f *countingInner) Employer(_ context.Context, nib string) (gate.EmployerLookup, error) {
	f.employerCalls.Add(1)
	if f.fail.Load() {
		return gate.EmployerLookup{}, errBPJSDown
	}
	return gate.EmployerLookup{Found: true, Employer: gate.Employer{NIB: nib, Name: "PT CONTOH", Status: gate.EmployerActive,
		RegisteredWorkers: 10, ActiveWorkers: 10}, Fetch: gate.Fetch{Source: gate.SourceLive}}, nil
}

func (f *countingInner) Participant(_ context.Context, nik string) (gate.ParticipantLookup, error) {
	f.participantCalls.Add(1)
	if f.fail.Load() {
		return gate.ParticipantLookup{}, errBPJSDown
	}
	return gate.ParticipantLookup{Found: true, Participant: gate.Participant{NIK: nik, Name: "CONTOH", Status: gate.ParticipantActive,
		Segment: "13"}, Fetch: gate.Fetch{Source: gate.SourceLive}}, nil
}

// testKeys seals the shared tier in tests.
var testKeys, _ = cache.NewKeys([]byte("0123456789abcdef0123456789abcdef"))

func newRegistry(t testing.TB, inner gate.Registry, opts cache.Options) (*cache.Registry, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	opts.Metrics = reg
	if opts.Shared != nil && opts.Keys == nil {
		opts.Keys = testKeys
	}
	r, err := cache.New(inner, opts)
	if err != nil {
		t.Fatalf("cache.New: %v", err)
	}
	return r, reg
}

// counter returns the value of the counter name with the given label pair,
// or 0 when it has not been touched.
func counter(t testing.TB, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == label && lp.GetValue() == value {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

const (
	testNIB = "9120001234567"
	testNIK = "1275014101900001"
)
