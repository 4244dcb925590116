package redis_test

import (
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/jkngate/jkngate/gate"
	jredis "github.com/jkngate/jkngate/integrations/redis"
)

func TestNewClient(t *testing.T) {
	tests := []struct {
		url      string
		wantType string // "single", "cluster", "failover" or "" for an invalid URL
	}{
		{"redis://127.0.0.1:6379/0", "single"},
		{"rediss://user:secret@cache.internal:6380/2", "single"},
		{"redis://127.0.0.1:6379/0?dial_timeout=1s", "single"},
		{"redis+cluster://10.0.0.1:6379?addr=10.0.0.2:6379&addr=10.0.0.3:6379", "cluster"},
		{"redis+sentinel://10.0.0.1:26379?master_name=mymaster&addr=10.0.0.2:26379", "failover"},
		{"redis+sentinel://10.0.0.1:26379", ""},
		{"memcached://127.0.0.1:11211", ""},
		{"redis://:secret@host:6379/0?no_such_option=1", ""},
		{"redis://:secret@[::1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c, err := jredis.NewClient(tt.url)
			if tt.wantType == "" {
				if gate.KindOf(err) != gate.KindInvalid {
					t.Fatalf("err = %v, want KindInvalid", err)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Fatalf("the error leaks the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewClient: %v", err)
			}
			defer c.Close()
			var got string
			switch v := c.(type) {
			case *goredis.ClusterClient:
				got = "cluster"
			case *goredis.Client:
				got = "single"
				if strings.Contains(tt.url, "sentinel") {
					got = "failover"
				}
				if o := v.Options(); !strings.Contains(tt.url, "dial_timeout") && o.DialTimeout != jredis.DefaultTimeout {
					t.Errorf("DialTimeout = %v, want %v", o.DialTimeout, jredis.DefaultTimeout)
				}
			}
			if got != tt.wantType {
				t.Fatalf("client type %T (%s), want %s", c, got, tt.wantType)
			}
		})
	}
}
