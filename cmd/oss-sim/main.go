// Command oss-sim serves the OSS-RBA simulator (package osssim): it sends
// seeded receiveNIB messages, one per bpjs-sim scenario, to jkngate, and
// receives jkngate's receiveLicenseStatus messages.
//
// Configuration, environment first, flags override it:
//
//	OSS_SIM_ADDR             -addr              listen address (":8082")
//	OSS_SIM_TARGET           -target            jkngate's base URL ("http://localhost:8080")
//	OSS_SIM_USER_KEY         -user-key          user_key sent with receiveNIB
//	OSS_SIM_STATUS_USER_KEY  -status-user-key   user_key receiveLicenseStatus requires
//	OSS_SIM_SEED             -seed              bpjs-sim's data seed (0), whose employers the messages name
//
// Endpoints: POST /receiveLicenseStatus; GET /_sim/messages; POST
// /_sim/send?nib=... (no nib: all); GET /_sim/statuses?id_izin=...; POST
// /_sim/fail?mode=500|504|400|slow|off&count=N.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/jkngate/jkngate/cmd/internal/simserve"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
	"github.com/jkngate/jkngate/integrations/simulators/osssim"
)

func main() {
	simserve.Main("oss-sim", run)
}

type config struct {
	addr, target, userKey, statusUserKey string
	seed                                 int64
}

func loadConfig(args []string, env func(string) string, out io.Writer) (config, error) {
	c := config{addr: ":8082", target: "http://localhost:8080"}
	for name, dst := range map[string]*string{"OSS_SIM_ADDR": &c.addr, "OSS_SIM_TARGET": &c.target,
		"OSS_SIM_USER_KEY": &c.userKey, "OSS_SIM_STATUS_USER_KEY": &c.statusUserKey} {
		if v := env(name); v != "" {
			*dst = v
		}
	}
	if v := env("OSS_SIM_SEED"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return c, fmt.Errorf("OSS_SIM_SEED: must be an integer")
		}
		c.seed = n
	}
	fs := flag.NewFlagSet("oss-sim", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.addr, "addr", c.addr, "listen address (OSS_SIM_ADDR)")
	fs.StringVar(&c.target, "target", c.target, "jkngate's base URL (OSS_SIM_TARGET)")
	fs.StringVar(&c.userKey, "user-key", c.userKey, "user_key sent with receiveNIB (OSS_SIM_USER_KEY)")
	fs.StringVar(&c.statusUserKey, "status-user-key", c.statusUserKey, "user_key receiveLicenseStatus requires (OSS_SIM_STATUS_USER_KEY)")
	fs.Int64Var(&c.seed, "seed", c.seed, "bpjs-sim's data seed (OSS_SIM_SEED)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.statusUserKey == "" {
		return c, errors.New("OSS_SIM_STATUS_USER_KEY: required (the user_key jkngate must send)")
	}
	return c, nil
}

// run serves the simulator until ctx is done. It prints "oss-sim
// listening on http://HOST:PORT" once listening.
func run(ctx context.Context, args []string, env func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(args, env, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	sim := osssim.New(osssim.Config{Target: cfg.target, UserKey: cfg.userKey, StatusUserKey: cfg.statusUserKey,
		Messages: osssim.Seeded(bpjssim.Generate(cfg.seed))})
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("OSS_SIM_ADDR: %w", err)
	}
	fmt.Fprintf(stdout, "oss-sim listening on http://%s\n", ln.Addr())
	return simserve.Serve(ctx, ln, sim.Handler(), 5*time.Second, nil)
}
