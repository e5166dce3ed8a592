package app

import (
	"strings"
	"testing"

	"github.com/sidenote/sidenote/shared/match"
)

// No field on the page: the sidebar says so and offers to wait; waiting
// asks the extension to insert once a form appears, for at most FormWait.
func TestInsertWithNoFieldsOffersToWaitForTheForm(t *testing.T) {
	f := newFixture(t)
	host := &fakeHost{plan: match.Plan{}, result: InsertResult{OK: true,
		Filled: []FilledField{{Section: "subjective", Field: "Subjective"}}}}
	f.start(host)
	f.readyNote()
	f.app.WaitForForm(bg) // nothing offered yet: no call
	if len(host.waits) != 0 {
		t.Fatal("waited before Insert found no field")
	}
	f.app.Insert(bg)
	if in := f.state().Session.Note.Insert; !in.CanWait || !strings.Contains(in.Err, "wait for it to open") {
		t.Fatalf("insert without fields = %+v, want the offer to wait", in)
	}
	f.app.SetOnFilled(FilledReplace)
	f.app.WaitForForm(bg)
	if len(host.waits) != 1 || host.waits[0] != FormWait || host.onFilled[len(host.onFilled)-1] != FilledReplace {
		t.Fatalf("waits %v, onFilled %v", host.waits, host.onFilled)
	}
	in := f.state().Session.Note.Insert
	if in.Busy || in.Waiting || in.CanWait || in.Result == nil || len(in.Result.Filled) != 1 {
		t.Errorf("after the form appeared: %+v", in)
	}

	// The form never appeared: said so, and the offer stays.
	f.app.Insert(bg)
	host.result = InsertResult{OK: true, NoFields: true}
	f.app.WaitForForm(bg)
	if in := f.state().Session.Note.Insert; !in.CanWait || in.Waiting || !strings.Contains(in.Err, "No note form appeared") {
		t.Errorf("after waiting in vain: %+v", in)
	}
}
