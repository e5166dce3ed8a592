package store

import (
	"fmt"

	"github.com/sidenote/sidenote/shared/api"
)

// labels are the values of the session list's enum-like TEXT columns
// (type, status, note status, consent method, anonymous, client kind).
// Scanning one of them into a fresh string would cost an allocation per
// column per row; a label hands out the one string kept here instead.
var labels = func() map[string]string {
	m := map[string]string{"": ""}
	for _, v := range []string{
		string(api.SessionInPerson), string(api.SessionTelehealth), string(api.SessionDictation),
		string(api.SessionUploadedRecording), string(api.SessionWrittenSummary),
		string(api.SessionOpen), string(api.SessionEnded), string(api.SessionAwaitingTranscript),
		string(api.NoteGenerating), string(api.NoteReady), string(api.NoteFailed), string(api.NoteSigned),
		string(api.ConsentVerbal), string(api.ConsentWritten), string(api.ConsentElectronic),
		string(api.AnonymousIndividual), string(api.AnonymousCouple),
		string(api.ClientIndividual), string(api.ClientCouple),
	} {
		m[v] = v
	}
	return m
}()

// label scans a nullable TEXT column into *dst, using the shared string
// of labels when the value is one (any other value is copied as usual).
// Valid reports whether the column was not NULL. pgx calls ScanBytes with
// the wire bytes, which need no copy to look up; database/sql (SQLite)
// calls Scan.
type label struct {
	dst   *string
	Valid bool
}

func (l *label) ScanBytes(b []byte) error {
	l.Valid = b != nil
	if s, ok := labels[string(b)]; ok { // this lookup does not allocate
		*l.dst = s
	} else {
		*l.dst = string(b)
	}
	return nil
}

func (l *label) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		l.Valid, *l.dst = false, ""
	case string:
		l.Valid, *l.dst = true, v
	case []byte:
		return l.ScanBytes(v)
	default:
		return fmt.Errorf("store: cannot scan %T into a label", src)
	}
	return nil
}

// optional is *l.dst, or nil for NULL.
func (l *label) optional() *string {
	if !l.Valid {
		return nil
	}
	s := *l.dst
	return &s
}
