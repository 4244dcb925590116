package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"testing"
	"time"
)

// runOut runs jkngate with args and no environment, returning stdout.
func runOut(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, func(string) string { return "" }, &out, io.Discard)
	return out.String(), err
}

// Every subcommand answers --help (and -h) with exit 0, its usage line and
// its flags, and does nothing else (serve does not start, send sends
// nothing).
func TestEverySubcommandHasHelp(t *testing.T) {
	wantFlags := map[string][]string{
		"serve":     {"-h, --help"},
		"demo":      {"-addr", "-h, --help"},
		"migrate":   {"-h, --help"},
		"retention": {"usage: jkngate retention [FLAGS] run", "-h, --help"},
		"send": {"-url", "-client", "-secret", "-id", "-json", "-data", "-nib", "-region", "-declared",
			"-worker", "-application-id", "-permit-type", "FILE|-"},
		"policy":  {"check FILE", "test DIR"},
		"import":  {"employers|participants FILE | list", "-by", "-limit", "-quiet"},
		"bench":   {"-url", "-client", "-secret", "-concurrency", "-rate", "-requests", "-json", "-seed"},
		"version": {"-h, --help"},
	}
	if len(wantFlags) != len(commands) {
		t.Fatalf("the test knows %d subcommands, jkngate has %d", len(wantFlags), len(commands))
	}
	for _, c := range commands {
		for _, h := range []string{"--help", "-h", "-help"} {
			out, err := runOut(t, c.name, h)
			if err != nil {
				t.Errorf("jkngate %s %s: %v", c.name, h, err)
			}
			if !strings.HasPrefix(out, "usage: jkngate "+c.name) {
				t.Errorf("jkngate %s %s does not start with its usage line:\n%s", c.name, h, out)
			}
			for _, f := range wantFlags[c.name] {
				if !strings.Contains(out, f) {
					t.Errorf("jkngate %s %s does not list %q:\n%s", c.name, h, f, out)
				}
			}
		}
		// "jkngate help CMD" is the same page.
		viaHelp, err := runOut(t, "help", c.name)
		direct, _ := runOut(t, c.name, "--help")
		if err != nil || viaHelp != direct {
			t.Errorf("jkngate help %s differs from jkngate %s --help (err %v)", c.name, c.name, err)
		}
	}
}

func TestUsageListsEverySubcommand(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		out, err := runOut(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range commands {
			if !strings.Contains(out, "\n  "+c.name+" ") {
				t.Errorf("jkngate %s does not list %s:\n%s", args[0], c.name, out)
			}
		}
		if !strings.Contains(out, "retention") {
			t.Errorf("usage lacks retention")
		}
	}
}

func TestBadFlagsAndCommandsFail(t *testing.T) {
	for _, args := range [][]string{{"serve", "--nope"}, {"serve", "extra"}, {"migrate", "extra"},
		{"retention"}, {"retention", "walk"}, {"version", "--nope"}, {"nonsense"}, {"send", "--nope"}} {
		if _, err := runOut(t, args...); err == nil {
			t.Errorf("jkngate %s succeeded", strings.Join(args, " "))
		} else if !strings.Contains(err.Error(), "--help") {
			t.Errorf("jkngate %s: error %q does not point at --help", strings.Join(args, " "), err)
		}
	}
}

func TestVersionFlagEqualsVersionCommand(t *testing.T) {
	a, err1 := runOut(t, "version")
	b, err2 := runOut(t, "--version")
	c, err3 := runOut(t, "-version")
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	if a != b || a != c || !strings.HasPrefix(a, "jkngate ") || !strings.Contains(a, " go1.") {
		t.Errorf("version %q, --version %q, -version %q", a, b, c)
	}
}

func TestBuildInfoString(t *testing.T) {
	b := buildInfo{Version: "v1.2.0", Revision: "0123abcd", Time: "2026-11-30T05:00:00Z", Modified: true, GoVersion: "go1.26.0"}
	if got, want := b.String(), "v1.2.0 (revision 0123abcd, 2026-11-30T05:00:00Z, modified) go1.26.0"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := (buildInfo{Version: "(devel)", GoVersion: "go1.26.0"}).String(), "(devel) go1.26.0"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	defer func(v string) { version = v }(version)
	version = "v9.9.9-ldflags"
	if got := readBuildInfo().Version; got != version {
		t.Errorf("with -ldflags version set, Version = %q", got)
	}
}

func TestMetricsHaveBuildInfo(t *testing.T) {
	g := startGate(t)
	resp, err := http.Get(g.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	b := readBuildInfo()
	for _, want := range []string{"# TYPE jkngate_build_info gauge", `goversion="` + b.GoVersion + `"`,
		`version="` + b.Version + `"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "jkngate_build_info{") && !strings.HasSuffix(line, "} 1") {
			t.Errorf("build info is %q, want 1", line)
		}
	}
}

// A misspelt variable is reported with the closest known name, on
// stderr, and does not stop the command.
func TestUnknownVariableWarning(t *testing.T) {
	defer func(e func() []string) { environ = e }(environ)
	environ = func() []string { return []string{"JKNGATE_DATABSE_URL=x.db", "JKNGATE_ADDR=:8080"} }
	dir := t.TempDir()
	var stderr bytes.Buffer
	env := map[string]string{"JKNGATE_DATABASE_URL": dir + "/m.db"}
	err := run(context.Background(), []string{"migrate"}, func(k string) string { return env[k] }, io.Discard, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	want := "jkngate: warning: JKNGATE_DATABSE_URL is not a jkngate variable and is ignored; did you mean JKNGATE_DATABASE_URL?\n"
	if stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
}

// TestTuneGC: serve keeps the collector's target at gcPercentFor the live
// heap, set again after a collection, and leaves an operator's GOGC alone.
func TestTuneGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)

	stop := tuneGC(func(k string) (string, bool) { return "123", k == "GOGC" })
	stop()
	if got := gcPercent(); got != 100 {
		t.Errorf("with GOGC set: GC percent %d, want 100 left alone", got)
	}

	stop = tuneGC(func(string) (string, bool) { return "", false })
	defer stop()
	// The live heap changes with this test's allocations: after a
	// collection, the target must be the one for the heap it left.
	keep := make([][]byte, 0, 64)
	for range 64 {
		keep = append(keep, make([]byte, 256<<10)) // 16 MB live: past the floor's fifth
	}
	// The finalizer runs on a goroutine of its own: wait for it, within a
	// bound generous for a loaded machine.
	deadline := time.Now().Add(10 * time.Second)
	var want int
	for time.Now().Before(deadline) {
		runtime.GC()
		want = gcPercentFor(liveHeap())
		if got := gcPercent(); got == want {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := gcPercent(); got != want || want != defaultGCPercent {
		t.Errorf("16 MB live: GC percent %d, want %d (defaultGCPercent %d)", got, want, defaultGCPercent)
	}
	runtime.KeepAlive(keep)
	for deadline = time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		runtime.GC()
		if got := gcPercent(); got > defaultGCPercent {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("small live heap (%d bytes): GC percent %d, want above %d", liveHeap(), gcPercent(), defaultGCPercent)
}

func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, defaultGCPercent},
		{4 << 20, 1500},
		{8 << 20, 700},
		{gcHeapFloor / 5, defaultGCPercent},
		{gcHeapFloor, defaultGCPercent},
		{1 << 30, defaultGCPercent},
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}

func gcPercent() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}

func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
