package notes

// Exported for the panel tests (package notes_test), which need the eval
// package and so cannot live in package notes.
var (
	CheckResult   = checkResult
	CompareGolden = compareGolden
)
