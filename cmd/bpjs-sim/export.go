package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjsfile"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// export writes the simulator's seeded data as a BPJS data file, the kind
// a branch office hands a region, for `jkngate import`:
//
//	bpjs-sim export employers|participants [--format csv|xlsx] [--out FILE] [--seed N] [--date YYYY-MM-DD]
//
// tgl_data is --date, by default yesterday in Asia/Jakarta (as the
// simulator's employer endpoint says). Employers whose status is not 1, 2
// or 3 (the "unclear" scenario) cannot be in such a file and are left out.
func export(args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bpjs-sim export", flag.ContinueOnError)
	fs.SetOutput(stdout)
	format := fs.String("format", "csv", "file format: csv or xlsx")
	out := fs.String("out", "", "file to write (default: standard output)")
	seed := fs.Int64("seed", 0, "data seed, as the server's BPJS_SIM_SEED (default $BPJS_SIM_SEED or 0)")
	date := fs.String("date", "", "tgl_data of every row, YYYY-MM-DD (default: yesterday in Asia/Jakarta)")
	synthetic := fs.Int("rows", 0, "participants only: write this many synthetic participants (unique, valid NIKs) instead of the seeded ones, for load tests")
	fs.Usage = func() {
		fmt.Fprintln(stdout, "usage: bpjs-sim export employers|participants [flags]")
		fs.PrintDefaults()
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		fs.Usage()
		if len(args) == 0 {
			return errors.New("export: say employers or participants")
		}
		return nil
	}
	kind := gate.ImportKind(args[0])
	if !kind.Valid() {
		return fmt.Errorf("export: %q: say employers or participants", args[0])
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if v := env("BPJS_SIM_SEED"); v != "" && !flagSet(fs, "seed") {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("BPJS_SIM_SEED: %w", err)
		}
		*seed = n
	}
	if *date == "" {
		*date = time.Now().In(time.FixedZone("WIB", 7*3600)).AddDate(0, 0, -1).Format(time.DateOnly)
	} else if _, err := time.Parse(time.DateOnly, *date); err != nil {
		return fmt.Errorf("-date: must be YYYY-MM-DD")
	}
	dst := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("-out: %w", err)
		}
		defer f.Close()
		dst = f
	}
	w, err := bpjsfile.NewWriter(dst, *format)
	if err != nil {
		return fmt.Errorf("-format: %w", err)
	}
	if err := w.Write(bpjsfile.Columns(kind)); err != nil {
		return err
	}
	var n, skipped int
	if *synthetic > 0 && kind == gate.ImportParticipants {
		n, err = writeSynthetic(w, *synthetic, *date)
	} else {
		n, skipped, err = writeRows(w, bpjssim.Generate(*seed), kind, *date)
	}
	if err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if *out != "" {
		fmt.Fprintf(stderr, "wrote %d %s to %s", n, kind, *out)
		if skipped > 0 {
			fmt.Fprintf(stderr, " (%d employers with an unclear status left out)", skipped)
		}
		fmt.Fprintln(stderr)
	}
	return nil
}

func writeRows(w bpjsfile.Writer, d bpjssim.Data, kind gate.ImportKind, date string) (n, skipped int, err error) {
	if kind == gate.ImportParticipants {
		for _, p := range d.Participants {
			if err := w.Write([]string{p.NIK, p.Status, p.Segment, p.EmployerCode, date}); err != nil {
				return n, 0, err
			}
			n++
		}
		return n, 0, nil
	}
	month, _ := time.Parse(time.DateOnly, date)
	month = time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	for _, e := range d.Employers {
		if gate.EmployerStatusText(e.Status) == "" {
			skipped++
			continue
		}
		lastPaid := month.AddDate(0, -1-e.ArrearsMonths, 0).Format("2006-01")
		if err := w.Write([]string{e.NIB, e.Code, e.Name, e.NPWP, e.Status, strconv.Itoa(e.Registered),
			strconv.Itoa(e.Active), strconv.Itoa(e.ArrearsMonths), strconv.FormatInt(e.ArrearsAmount, 10),
			lastPaid, date}); err != nil {
			return n, skipped, err
		}
		n++
	}
	return n, skipped, nil
}

// writeSynthetic writes n participants whose NIKs are unique and valid in
// structure (up to 98,010,000 of them): regency 3201, the district and the
// last four digits counting up, born 01-01-90.
func writeSynthetic(w bpjsfile.Writer, n int, date string) (int, error) {
	if n > 98_010_000 {
		return 0, errors.New("-rows: at most 98010000")
	}
	row := make([]string, 5)
	segments := []string{"13", "13", "13", "14", "21"}
	statuses := []string{"0", "0", "0", "0", "9", "15"}
	for i := range n {
		row[0] = fmt.Sprintf("32%02d%02d010190%04d", 1+i/990_000, 1+i/10_000%99, i%10_000)
		row[1] = statuses[i%len(statuses)]
		row[2] = segments[i%len(segments)]
		row[3] = ""
		if row[2] == "13" {
			row[3] = fmt.Sprintf("%08d", 1+i%50_000)
		}
		row[4] = date
		if err := w.Write(row); err != nil {
			return i, err
		}
	}
	return n, nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
