package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// version overrides the module version when set at build time with
// -ldflags "-X main.version=..." (the Docker image does, since its build
// context has no .git).
var version = ""

// buildInfo is what the binary knows about how it was built.
type buildInfo struct {
	Version   string // module version, "(devel)" for a plain go build, or -ldflags' version
	Revision  string // vcs.revision; empty without VCS information
	Time      string // vcs.time (RFC 3339)
	Modified  bool   // vcs.modified: built from a tree with uncommitted changes
	GoVersion string
}

// readBuildInfo reads the version from runtime/debug.ReadBuildInfo; an
// -ldflags version wins over the module version.
func readBuildInfo() buildInfo {
	b := buildInfo{Version: "(devel)", GoVersion: runtime.Version()}
	if info, ok := debug.ReadBuildInfo(); ok {
		if v := info.Main.Version; v != "" {
			b.Version = v
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Revision = s.Value
			case "vcs.time":
				b.Time = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if version != "" {
		b.Version = version
	}
	return b
}

// String is the one line "jkngate version" prints after the name:
// "v1.2.0 (revision 0123abcd, 2026-11-30T05:00:00Z, modified) go1.26.0".
func (b buildInfo) String() string {
	var vcs []string
	if b.Revision != "" {
		vcs = append(vcs, "revision "+b.Revision)
	}
	if b.Time != "" {
		vcs = append(vcs, b.Time)
	}
	if b.Modified {
		vcs = append(vcs, "modified")
	}
	s := b.Version
	if len(vcs) > 0 {
		s += " (" + strings.Join(vcs, ", ") + ")"
	}
	return s + " " + b.GoVersion
}

// registerBuildInfo adds the jkngate_build_info gauge (always 1) to reg,
// labelled with the version, VCS revision (with "-dirty" when modified) and
// Go version, so dashboards can tell which build each replica runs.
func registerBuildInfo(reg prometheus.Registerer, b buildInfo) error {
	rev := b.Revision
	if b.Modified && rev != "" {
		rev += "-dirty"
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "jkngate_build_info",
		Help:        "Always 1; the labels say which build of jkngate this process runs.",
		ConstLabels: prometheus.Labels{"version": b.Version, "revision": rev, "goversion": b.GoVersion},
	})
	g.Set(1)
	if err := reg.Register(g); err != nil {
		return fmt.Errorf("build info metric: %w", err)
	}
	return nil
}
