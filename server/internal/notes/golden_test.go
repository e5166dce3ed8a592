package notes

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/note"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

// fixture is a fictional session in testdata: NAME.summary.txt and/or
// NAME.transcript.txt.
type fixture struct {
	name string
	src  Source
}

func loadFixtures(t testing.TB) []fixture {
	t.Helper()
	paths, err := filepath.Glob("testdata/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*fixture{}
	for _, p := range paths {
		base := filepath.Base(p)
		name, kind, ok := strings.Cut(strings.TrimSuffix(base, ".txt"), ".")
		if !ok {
			t.Fatalf("%s: want NAME.summary.txt or NAME.transcript.txt", p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f := byName[name]
		if f == nil {
			f = &fixture{name: name}
			byName[name] = f
		}
		switch kind {
		case "summary":
			f.src.Summary = string(b)
		case "transcript":
			f.src.Transcript = string(b)
		default:
			t.Fatalf("%s: unknown source kind %q", p, kind)
		}
	}
	var out []fixture
	for _, f := range byName {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func TestBuiltinGolden(t *testing.T) {
	fixtures := loadFixtures(t)
	if len(fixtures) < 5 {
		t.Fatalf("found %d fixtures, want at least 5", len(fixtures))
	}
	for _, f := range fixtures {
		for _, tmpl := range note.Templates() {
			t.Run(f.name+"/"+string(tmpl.ID), func(t *testing.T) {
				res, err := NewBuiltin().Generate(context.Background(), tmpl, f.src)
				if err != nil {
					t.Fatal(err)
				}
				checkResult(t, tmpl, f.src, res)
				got, err := json.MarshalIndent(res, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, '\n')
				path := filepath.Join("testdata", f.name+"."+string(tmpl.ID)+".golden.json")
				compareGolden(t, path, got)
			})
		}
	}
}

// compareGolden compares got with the golden file at path, or rewrites the
// file with -update.
func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run Golden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (review, then rerun with -update):\n%s", path, got)
	}
}
