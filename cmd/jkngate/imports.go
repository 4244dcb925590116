package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/jkngate/jkngate/config"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjsfile"
)

// importCmd runs "jkngate import employers|participants FILE" and "jkngate
// import list".
func importCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("import", "employers|participants FILE | list", `Imports a BPJS data file (CSV with a header row, ',' or ';' separated,
UTF-8 with or without BOM; or XLSX, first sheet) into the database that
JKNGATE_DATABASE_URL names, as a registry source beside the live BPJS
services. The whole file is validated first: a file with any invalid row is
refused whole, with a report naming each row, column and problem (exit 1),
and nothing is applied. An accepted file replaces stored data for the same
NIB or NIK only where its tgl_data is newer, in one transaction, and
schedules the recheck of decisions it may change. "import list" prints the
import history.

Employer columns: nib, kode_badan_usaha, nama, npwp, status (1/2/3),
pekerja_terdaftar, pekerja_aktif, tunggakan_bulan, tunggakan_nominal,
iuran_terakhir (YYYY-MM), tgl_data (YYYY-MM-DD). Participant columns: nik,
status, jenis_peserta, kode_badan_usaha (may be empty), tgl_data. Headers
match case-insensitively; other columns are ignored.`)
	by := fs.String("by", getenv("USER"), "who imports the file, for the history (default $USER)")
	limit := fs.Int("limit", 20, "how many imports \"import list\" prints")
	quiet := fs.Bool("quiet", false, "print no progress, only the summary or the report")
	if err := parseFlags(fs, args, stdout, 2); err != nil {
		return err
	}
	what := fs.Arg(0)
	switch {
	case what == "list" && fs.NArg() == 1:
	case gate.ImportKind(what).Valid() && fs.NArg() == 2:
	default:
		return errors.New(`import: want "jkngate import employers FILE", "jkngate import participants FILE" or "jkngate import list" (see "jkngate import --help")`)
	}
	if *by == "" {
		*by = "cli"
	}
	printUnknownVariables(stderr)
	cfg, policy, err := loadConfig(getenv, config.ModeMigrate)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	im := &bpjsfile.Importer{Store: store, RecheckFor: policy.RecheckFor}
	if what == "list" {
		return printImports(ctx, im, *limit, stdout)
	}
	path := fs.Arg(1)
	if !*quiet {
		p := newProgress(stderr)
		defer p.finish()
		im.Progress = p.update
	}
	started := time.Now()
	rep, err := im.Import(ctx, gate.ImportKind(what), gate.ImportFile{Path: path, FileName: filepath.Base(path), By: *by})
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if !rep.Accepted {
		printRefusal(stderr, path, rep)
		return fmt.Errorf("import: %s refused: %d problems; nothing was applied", path, len(rep.Problems)+rep.MoreProblems)
	}
	r := rep.Record
	fmt.Fprintf(stdout, "imported %s from %s as %s in %s: %d rows read, %d applied, %d unchanged, %d older than stored; %d rechecks scheduled\n",
		r.Kind, r.FileName, r.ID, time.Since(started).Round(time.Millisecond), r.Read, r.Applied, r.Unchanged, r.Older, r.Rechecks)
	return nil
}

// printRefusal writes the validation report: one line per problem, then
// how many more there were.
func printRefusal(w io.Writer, path string, rep gate.ImportReport) {
	fmt.Fprintf(w, "%s is refused; nothing was applied. Problems:\n", path)
	for _, p := range rep.Problems {
		switch {
		case p.Column == "":
			fmt.Fprintf(w, "  row %d: %s\n", p.Row, p.Problem)
		default:
			fmt.Fprintf(w, "  row %d, column %s: %s\n", p.Row, p.Column, p.Problem)
		}
	}
	if rep.MoreProblems > 0 {
		fmt.Fprintf(w, "  ... and %d more problems\n", rep.MoreProblems)
	}
}

func printImports(ctx context.Context, im *bpjsfile.Importer, limit int, w io.Writer) error {
	items, err := im.Imports(ctx, max(1, min(limit, gate.MaxPageSize)))
	if err != nil {
		return fmt.Errorf("import list: %w", err)
	}
	if len(items) == 0 {
		fmt.Fprintln(w, "no imports yet")
		return nil
	}
	fmt.Fprintln(w, "ID\tKIND\tAT\tBY\tFILE\tREAD\tAPPLIED\tUNCHANGED\tOLDER\tRECHECKS\tSHA256")
	for _, r := range items {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", r.ID, r.Kind, r.At.Format(time.RFC3339),
			strconv.Quote(r.By), strconv.Quote(r.FileName), r.Read, r.Applied, r.Unchanged, r.Older, r.Rechecks, r.SHA256)
	}
	return nil
}

// progress shows how far an import is: a progress bar on a terminal, a
// plain line every 100,000 rows otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	bar   *progressbar.ProgressBar
	phase string
	last  int
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(f.Fd()))}
}

func (p *progress) update(phase string, rows, total int) {
	if phase != p.phase {
		p.finish()
		p.phase, p.last = phase, 0
		if p.tty {
			desc := "validating"
			if phase == "apply" {
				desc = "applying"
			}
			max := -1 // a spinner: the number of rows is not known yet
			if total > 0 {
				max = total
			}
			p.bar = progressbar.NewOptions(max, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(desc),
				progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"),
				progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		}
	}
	if p.bar != nil {
		p.bar.Set(rows) //nolint:errcheck // a terminal write error is not the import's
		return
	}
	if rows-p.last >= 100_000 || (total > 0 && rows == total) {
		p.last = rows
		if total > 0 {
			fmt.Fprintf(p.w, "import: %s: %d of %d rows\n", phase, rows, total)
		} else {
			fmt.Fprintf(p.w, "import: %s: %d rows\n", phase, rows)
		}
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish() //nolint:errcheck // as above
		p.bar = nil
	}
}
