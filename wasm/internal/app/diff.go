package app

// DiffOp says whether a run of words is in both versions, only the newer
// (added) or only the older (removed).
type DiffOp int

const (
	DiffSame DiffOp = iota
	DiffAdded
	DiffRemoved
)

// DiffPart is a run of words with what happened to it.
type DiffPart struct {
	Op   DiffOp
	Text string
}

// words splits text into words, each keeping the spaces after it, so the
// parts of a diff joined back give the text exactly.
func words(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); {
		for i < len(text) && !isSpace(text[i]) {
			i++
		}
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		out = append(out, text[start:i])
		start = i
	}
	return out
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// trimmed is a word without its trailing spaces: a word followed by a
// newline in one version and a space in the other has not changed.
func trimmed(w string) string {
	end := len(w)
	for end > 0 && isSpace(w[end-1]) {
		end--
	}
	return w[:end]
}

// WordDiff returns what changed from older to newer, word by word: the
// longest common subsequence of words kept, the rest removed or added.
// Removed words come before the added ones that replace them. Joining the
// same and added parts gives newer; the same and removed, older.
func WordDiff(older, newer string) []DiffPart {
	a, b := words(older), words(newer)
	// Strip the common prefix and suffix: most edits touch a few words.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var parts []DiffPart
	add := func(op DiffOp, w string) {
		if n := len(parts); n > 0 && parts[n-1].Op == op {
			parts[n-1].Text += w
			return
		}
		parts = append(parts, DiffPart{op, w})
	}
	for _, w := range a[:pre] {
		add(DiffSame, w)
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	// lcs[i][j] is the length of the longest common subsequence of ma[i:]
	// and mb[j:].
	lcs := make([][]int, len(ma)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(mb)+1)
	}
	for i := len(ma) - 1; i >= 0; i-- {
		for j := len(mb) - 1; j >= 0; j-- {
			switch {
			case trimmed(ma[i]) == trimmed(mb[j]):
				lcs[i][j] = lcs[i+1][j+1] + 1
			case lcs[i+1][j] >= lcs[i][j+1]:
				lcs[i][j] = lcs[i+1][j]
			default:
				lcs[i][j] = lcs[i][j+1]
			}
		}
	}
	i, j := 0, 0
	var removed, added string
	flush := func() {
		if removed != "" {
			add(DiffRemoved, removed)
		}
		if added != "" {
			add(DiffAdded, added)
		}
		removed, added = "", ""
	}
	for i < len(ma) || j < len(mb) {
		switch {
		case i < len(ma) && j < len(mb) && trimmed(ma[i]) == trimmed(mb[j]):
			flush()
			add(DiffSame, mb[j])
			i, j = i+1, j+1
		case j < len(mb) && (i == len(ma) || lcs[i][j+1] >= lcs[i+1][j]):
			added += mb[j]
			j++
		default:
			removed += ma[i]
			i++
		}
	}
	flush()
	for _, w := range b[len(b)-suf:] {
		add(DiffSame, w)
	}
	return cleanup(parts)
}

// cleanup makes a diff read as a person would write it: a single common
// word between two changes ("in" in "to continue … in two weeks" →
// "changed in another window") joins the change around it rather than
// chopping it in pieces. Each change reads as the removed words, then the
// added ones.
func cleanup(parts []DiffPart) []DiffPart {
	var out []DiffPart
	var removed, added string
	changed := false
	flush := func() {
		if removed != "" {
			// Kept apart from the word before it, which may be the last
			// word of the newer version and have no space after it.
			if n := len(out); n > 0 && !isSpace(out[n-1].Text[len(out[n-1].Text)-1]) {
				removed = " " + removed
			}
			out = append(out, DiffPart{DiffRemoved, removed})
		}
		if added != "" {
			out = append(out, DiffPart{DiffAdded, added})
		}
		removed, added, changed = "", "", false
	}
	for i, p := range parts {
		switch {
		case p.Op == DiffRemoved:
			removed, changed = removed+p.Text, true
		case p.Op == DiffAdded:
			added, changed = added+p.Text, true
		case changed && len(words(p.Text)) <= 1 && i+1 < len(parts):
			// The common word as the newer version spaces it; on the
			// older side it is followed by more words.
			r := p.Text
			if !isSpace(r[len(r)-1]) {
				r += " "
			}
			removed, added = removed+r, added+p.Text
		default:
			flush()
			out = append(out, p)
		}
	}
	flush()
	return out
}

// Changed reports whether a diff holds any change.
func Changed(parts []DiffPart) bool {
	for _, p := range parts {
		if p.Op != DiffSame {
			return true
		}
	}
	return false
}
