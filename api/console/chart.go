package console

import (
	"fmt"

	"github.com/jkngate/jkngate/gate"
)

// chart is a horizontal bar chart of registered and active workers as a
// share of declared ones, per region, laid out here so that the template
// only draws rectangles (no script, no inline style).
type chart struct {
	Width, Height int
	Rows          []chartRow
	Title         string
}

type chartRow struct {
	Label              string
	Y, TextY           int
	RegW, ActW         int
	RegLabel, ActLabel string
	ActY               int
	// RegTextX, ActTextX place the percentages after the bars.
	RegTextX, ActTextX int
	RegTextY, ActTextY int
	RegShort, ActShort string
}

const (
	chartLabelW = 70
	chartBarW   = 360
	chartRowH   = 34
	chartMaxRow = 30
)

func coverageChart(rep gate.CoverageReport, lang string) chart {
	ch := chart{Width: chartLabelW + chartBarW + 70, Title: translate(lang, "chart.title")}
	for i, g := range rep.Groups {
		if i == chartMaxRow {
			break
		}
		y := 10 + i*chartRowH
		row := chartRow{Label: g.Group, Y: y, ActY: y + 13, TextY: y + 17}
		row.RegW, row.RegLabel = bar(g.RegisteredPct, lang, "chart.registered")
		row.ActW, row.ActLabel = bar(g.ActivePct, lang, "chart.active")
		row.RegTextX, row.ActTextX = chartLabelW+row.RegW+6, chartLabelW+row.ActW+6
		row.RegTextY, row.ActTextY = y+10, y+23
		row.RegShort, row.ActShort = short(g.RegisteredPct), short(g.ActivePct)
		ch.Rows = append(ch.Rows, row)
	}
	ch.Height = 20 + len(ch.Rows)*chartRowH
	return ch
}

func bar(pct float64, lang, key string) (int, string) {
	if pct != pct { // NaN: no employer data
		return 0, translate(lang, key) + ": –"
	}
	p := min(max(pct, 0), 100)
	return int(p / 100 * chartBarW), fmt.Sprintf("%s: %.1f%%", translate(lang, key), pct)
}

func short(pct float64) string {
	if pct != pct {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", pct)
}
