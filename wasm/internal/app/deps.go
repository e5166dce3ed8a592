package app

import (
	"context"
	"time"

	"github.com/sidenote/sidenote/shared/match"
)

// Storage keeps small strings across reloads of the panel (localStorage in
// the browser). Drafts live here until the server has them.
type Storage interface {
	Get(key string) (string, bool)
	Set(key, value string) error
	Remove(key string)
	// Keys lists the stored keys that start with prefix.
	Keys(prefix string) []string
}

// Clipboard writes text to the system clipboard.
type Clipboard interface {
	WriteText(ctx context.Context, text string) error
}

// OnFilled says what insertion does with a field that already holds text.
type OnFilled string

const (
	FilledSkip    OnFilled = "skip"
	FilledReplace OnFilled = "replace"
	FilledAppend  OnFilled = "append"
)

// FilledField is a section written into a page field.
type FilledField struct {
	Section string `json:"section"`
	Field   string `json:"field"`
}

// SkippedField is a section that was not written, and why.
type SkippedField struct {
	Section string `json:"section"`
	Field   string `json:"field"`
	Reason  string `json:"reason"`
	// Limit is the most characters the field holds, when the section was
	// left out because it is longer (the sidebar offers Copy for it).
	Limit int `json:"limit,omitempty"`
}

// InsertResult is the host's report of an insertion.
type InsertResult struct {
	OK      bool           `json:"ok"`
	Filled  []FilledField  `json:"filled"`
	Skipped []SkippedField `json:"skipped"`
	// NoFields is true when the page has no field a note can go into.
	NoFields bool `json:"no_fields,omitempty"`
}

// HostConfig is where the host says the server is and how to authenticate.
type HostConfig struct {
	ServerURL string `json:"serverUrl"`
	Token     string `json:"token"`
}

// Host is the page hosting the sidebar when it can do more than a web page:
// the extension's side panel, which reaches the clinician's EHR tab. On /app
// there is no host and the sidebar offers copying instead of inserting.
type Host interface {
	// Config returns the stored server URL and token.
	Config(ctx context.Context) (HostConfig, error)
	// Connect stores the server URL and token for the extension.
	Connect(ctx context.Context, serverURL, token string) error
	// SignIn runs a provider's sign-in flow against the server and returns
	// an API token.
	SignIn(ctx context.Context, serverURL, provider string) (string, error)
	// Plan proposes where each section of the note goes on the page.
	Plan(ctx context.Context, noteID string) (match.Plan, error)
	// Insert writes the note into the page. mapping holds the clinician's
	// choices (section key → field signature, "" to leave a section out),
	// which the extension remembers for the page; nil lets it follow its
	// own plan.
	Insert(ctx context.Context, noteID string, onFilled OnFilled, mapping map[string]string) (InsertResult, error)
	// InsertWhenReady is Insert for a page whose note form has not appeared
	// yet (it opens after a click, in a dialog): the extension waits up to
	// wait for a field to appear, then inserts.
	InsertWhenReady(ctx context.Context, noteID string, onFilled OnFilled, wait time.Duration) (InsertResult, error)
	// Undo restores the fields the last insertion touched.
	Undo(ctx context.Context) error
}

// HostError is an error the host reports in a sentence for the clinician.
type HostError struct{ Message string }

func (e *HostError) Error() string { return e.Message }
