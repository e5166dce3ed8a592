package eval

import (
	"testing"
)

const (
	panelDir = "testdata/panel"
	// minCases is the smallest panel issue 12 accepts.
	minCases = 24
)

// TestPanelIntegrity loads every case (any format or labelling error fails)
// and checks the panel's shape: enough cases, a held-out third.
func TestPanelIntegrity(t *testing.T) {
	cases, err := LoadPanel(panelDir)
	if err != nil {
		t.Fatal(err)
	}
	held := 0
	for _, c := range cases {
		if c.HeldOut {
			held++
		}
	}
	t.Logf("%d cases, %d held out", len(cases), held)
	if len(cases) < minCases {
		t.Errorf("%d cases, want at least %d", len(cases), minCases)
	}
	if held*3 < len(cases)-2 || held == 0 {
		t.Errorf("%d of %d cases held out, want a third", held, len(cases))
	}
}
