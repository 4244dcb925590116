package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuUse is CPU time spent so far by a server under test (its process), by
// PostgreSQL's processes and by this process (the load generator), for the
// side-by-side run's CPU cost per decision. On a machine without /proc the
// server and PostgreSQL figures are zero.
type cpuUse struct {
	server, postgres, generator time.Duration
}

func cpuNow(serverPID int) cpuUse {
	var ru syscall.Rusage
	var u cpuUse
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		u.generator = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		pid, comm, used, ok := parseProcStat(string(b))
		switch {
		case !ok:
		case pid == serverPID:
			u.server = used
		case comm == "postgres":
			u.postgres += used
		}
	}
	return u
}

// parseProcStat reads a /proc/<pid>/stat line: pid (comm) state ... with
// utime and stime the 14th and 15th fields, counted after the comm, which
// may hold spaces.
func parseProcStat(s string) (pid int, comm string, used time.Duration, ok bool) {
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 1 || end < open {
		return 0, "", 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(s[:open]))
	f := strings.Fields(s[end+1:])
	if err != nil || len(f) < 13 {
		return 0, "", 0, false
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return pid, s[open+1 : end], time.Duration(ut+st) * (time.Second / clockTicks), true
}

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on every Linux
// architecture Go runs on.
const clockTicks = 100

func (u cpuUse) sub(v cpuUse) cpuUse {
	return cpuUse{u.server - v.server, u.postgres - v.postgres, u.generator - v.generator}
}
