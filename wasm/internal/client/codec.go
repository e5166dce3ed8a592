package client

import (
	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
	"github.com/sidenote/sidenote/wasm/internal/wire"
)

// The API's JSON, read and written field by field (see package wire for
// why not encoding/json). codec_test.go checks every type against
// encoding/json both ways.

func decodeAPIError(v wire.Value) api.Error {
	e := v.Get("error")
	return api.Error{Code: e.Get("code").Str(), Message: e.Get("message").Str(), Field: e.Get("field").Str()}
}

func decodeProviders(v wire.Value) []Provider {
	if v.Kind() == wire.Object {
		v = v.Get("providers")
	}
	out := []Provider{}
	for _, p := range v.Items() {
		out = append(out, Provider{ID: p.Get("id").Str(), Name: p.Get("name").Str()})
	}
	return out
}

// DecodeClinician reads a clinician.
func DecodeClinician(v wire.Value) api.Clinician {
	return api.Clinician{ID: v.Get("id").Str(), Email: v.Get("email").Str(), Name: v.Get("name").Str(), CreatedAt: v.Get("created_at").Time()}
}

// EncodeClinician writes a clinician.
func EncodeClinician(c api.Clinician) []byte {
	return wire.NewObj().Str("id", c.ID).Str("email", c.Email).Str("name", c.Name).Time("created_at", c.CreatedAt).Bytes()
}

// DecodeClient reads a client profile.
func DecodeClient(v wire.Value) api.Client {
	return api.Client{
		ID: v.Get("id").Str(), DisplayName: v.Get("display_name").Str(), Kind: api.ClientKind(v.Get("kind").Str()),
		ExternalRef: v.Get("external_ref").StrPtr(), ArchivedAt: v.Get("archived_at").TimePtr(),
		CreatedAt: v.Get("created_at").Time(), UpdatedAt: v.Get("updated_at").Time(),
	}
}

// EncodeClient writes a client profile.
func EncodeClient(c api.Client) []byte {
	return wire.NewObj().Str("id", c.ID).Str("display_name", c.DisplayName).Str("kind", string(c.Kind)).
		StrPtr("external_ref", c.ExternalRef).TimePtr("archived_at", c.ArchivedAt).
		Time("created_at", c.CreatedAt).Time("updated_at", c.UpdatedAt).Bytes()
}

func anonymous(v wire.Value) *api.Anonymous {
	if v.Kind() != wire.String {
		return nil
	}
	a := api.Anonymous(v.Str())
	return &a
}

func anonPtr(a *api.Anonymous) *string {
	if a == nil {
		return nil
	}
	s := string(*a)
	return &s
}

func decodeConsent(v wire.Value) api.Consent {
	return api.Consent{Obtained: v.Get("obtained").Bool(), Method: api.ConsentMethod(v.Get("method").Str()), RecordedAt: v.Get("recorded_at").TimePtr()}
}

func encodeConsent(c api.Consent) []byte {
	o := wire.NewObj().Bool("obtained", c.Obtained).Str("method", string(c.Method))
	if c.RecordedAt != nil {
		o.Time("recorded_at", *c.RecordedAt)
	}
	return o.Bytes()
}

// DecodeSession reads a session.
func DecodeSession(v wire.Value) api.Session {
	s := api.Session{
		ID: v.Get("id").Str(), Type: api.SessionType(v.Get("type").Str()), Status: api.SessionStatus(v.Get("status").Str()),
		Anonymous: anonymous(v.Get("anonymous")), DisplayLabel: v.Get("display_label").Str(),
		Label:   v.Get("label").Str(),
		Consent: decodeConsent(v.Get("consent")), StartedAt: v.Get("started_at").Time(), EndedAt: v.Get("ended_at").TimePtr(),
		NoteStatus: api.NoteStatus(v.Get("note_status").Str()), JoinURL: v.Get("join_url").Str(),
		CreatedAt: v.Get("created_at").Time(), UpdatedAt: v.Get("updated_at").Time(),
	}
	if c := v.Get("client"); c.Kind() == wire.Object {
		cl := DecodeClient(c)
		s.Client = &cl
	}
	for _, h := range v.Get("history").Items() {
		s.History = append(s.History, api.Assignment{ClientID: h.Get("client_id").StrPtr(), Anonymous: anonymous(h.Get("anonymous")), ChangedAt: h.Get("changed_at").Time()})
	}
	return s
}

// EncodeSession writes a session.
func EncodeSession(s api.Session) []byte {
	o := wire.NewObj().Str("id", s.ID).Str("type", string(s.Type)).Str("status", string(s.Status))
	if s.Client != nil {
		o.Raw("client", EncodeClient(*s.Client))
	} else {
		o.Raw("client", []byte("null"))
	}
	o.StrPtr("anonymous", anonPtr(s.Anonymous)).Str("display_label", s.DisplayLabel).Str("label", s.Label).
		Raw("consent", encodeConsent(s.Consent)).Time("started_at", s.StartedAt).TimePtr("ended_at", s.EndedAt).
		Str("note_status", string(s.NoteStatus)).StrOmit("join_url", s.JoinURL)
	if len(s.History) > 0 {
		o.Raw("history", wire.List(len(s.History), func(i int) []byte {
			h := s.History[i]
			return wire.NewObj().StrPtr("client_id", h.ClientID).StrPtr("anonymous", anonPtr(h.Anonymous)).Time("changed_at", h.ChangedAt).Bytes()
		}))
	}
	return o.Time("created_at", s.CreatedAt).Time("updated_at", s.UpdatedAt).Bytes()
}

// DecodeSessions reads a list of sessions.
func DecodeSessions(v wire.Value) []api.Session {
	out := make([]api.Session, 0, len(v.Items()))
	for _, it := range v.Items() {
		out = append(out, DecodeSession(it))
	}
	return out
}

// EncodeSessions writes a list of sessions.
func EncodeSessions(ss []api.Session) []byte {
	return wire.List(len(ss), func(i int) []byte { return EncodeSession(ss[i]) })
}

func decodeSessionPage(v wire.Value) api.Page[api.Session] {
	return api.Page[api.Session]{Items: DecodeSessions(v.Get("items")), NextCursor: v.Get("next_cursor").Str()}
}

func decodeClientPage(v wire.Value) api.Page[api.Client] {
	p := api.Page[api.Client]{Items: []api.Client{}, NextCursor: v.Get("next_cursor").Str()}
	for _, it := range v.Get("items").Items() {
		p.Items = append(p.Items, DecodeClient(it))
	}
	return p
}

// decodeSpans reads a list of source spans: nil when v is not a list, as
// encoding/json leaves it.
func decodeSpans(v wire.Value) []note.Span {
	if v.Kind() != wire.Array {
		return nil
	}
	out := []note.Span{}
	for _, sp := range v.Items() {
		out = append(out, note.Span{Source: sp.Get("source").Str(), Start: sp.Get("start").Int(), End: sp.Get("end").Int()})
	}
	return out
}

func decodeSection(v wire.Value) note.Section {
	s := note.Section{
		Key: v.Get("key").Str(), Title: v.Get("title").Str(), Text: v.Get("text").Str(),
		NotDocumented: v.Get("not_documented").Bool(), Sources: decodeSpans(v.Get("sources")),
	}
	for _, a := range v.Get("aliases").Items() {
		s.Aliases = append(s.Aliases, a.Str())
	}
	if ss := v.Get("sentences"); ss.Kind() == wire.Array {
		s.Sentences = []note.Sentence{}
		for _, st := range ss.Items() {
			s.Sentences = append(s.Sentences, note.Sentence{Start: st.Get("start").Int(), End: st.Get("end").Int(), Sources: decodeSpans(st.Get("sources"))})
		}
	}
	return s
}

func decodeLeftOut(v wire.Value) []note.LeftOut {
	if v.Kind() != wire.Array {
		return nil
	}
	out := []note.LeftOut{}
	for _, it := range v.Items() {
		out = append(out, note.LeftOut{ID: it.Get("id").Str(), Text: it.Get("text").Str(), Reason: it.Get("reason").Str(), Sources: decodeSpans(it.Get("sources"))})
	}
	return out
}

// DecodeNote reads a note.
func DecodeNote(v wire.Value) api.Note {
	n := api.Note{
		ID: v.Get("id").Str(), SessionID: v.Get("session_id").Str(), Template: note.TemplateID(v.Get("template").Str()),
		Status: api.NoteStatus(v.Get("status").Str()), FailureReason: v.Get("failure_reason").Str(),
		Version: v.Get("version").Int(), Generator: v.Get("generator").Str(), GeneratorNote: v.Get("generator_note").Str(),
		LeftOut: decodeLeftOut(v.Get("left_out")), RiskMentioned: v.Get("risk_mentioned").Bool(), SignedAt: v.Get("signed_at").TimePtr(),
		CreatedAt: v.Get("created_at").Time(), UpdatedAt: v.Get("updated_at").Time(),
	}
	if secs := v.Get("sections"); secs.Kind() == wire.Array {
		n.Sections = []note.Section{}
		for _, s := range secs.Items() {
			n.Sections = append(n.Sections, decodeSection(s))
		}
	}
	if by := v.Get("signed_by"); by.Kind() == wire.Object {
		n.SignedBy = &api.Signer{ID: by.Get("id").Str(), Name: by.Get("name").Str()}
	}
	if add := v.Get("addenda"); add.Kind() == wire.Array {
		n.Addenda = []api.Addendum{}
		for _, a := range add.Items() {
			n.Addenda = append(n.Addenda, decodeAddendum(a))
		}
	}
	return n
}

func decodeNotes(v wire.Value) []api.Note {
	if v.Kind() == wire.Object {
		v = v.Get("items")
	}
	out := []api.Note{}
	for _, it := range v.Items() {
		out = append(out, DecodeNote(it))
	}
	return out
}

// DecodeRecording reads a session's recording.
func DecodeRecording(v wire.Value) api.Recording {
	return api.Recording{
		ContentType: v.Get("content_type").Str(), SizeBytes: int64(v.Get("size_bytes").Int()), SHA256: v.Get("sha256").Str(),
		TranscriptionStatus: v.Get("transcription_status").Str(), TranscriptionError: v.Get("transcription_error").Str(),
		UploadedAt: v.Get("uploaded_at").Time(), Keep: v.Get("keep").Bool(),
		DeleteAfter: v.Get("delete_after").TimePtr(), DeletedAt: v.Get("deleted_at").TimePtr(),
		Chunks: v.Get("chunks").Int(), Complete: v.Get("complete").Bool(),
	}
}

func encodeRecordingSettings(keep bool) []byte { return wire.NewObj().Bool("keep", keep).Bytes() }

func optStr(o *wire.Obj, k string, v *string) {
	if v != nil {
		o.Str(k, *v)
	}
}

func encodeCreateSession(r api.CreateSessionRequest) []byte {
	o := wire.NewObj().Str("type", string(r.Type))
	optStr(o, "client_id", r.ClientID)
	optStr(o, "anonymous", anonPtr(r.Anonymous))
	if r.Consent != nil {
		o.Raw("consent", encodeConsent(*r.Consent))
	} else {
		o.Raw("consent", []byte("null"))
	}
	if r.StartedAt != nil {
		o.Time("started_at", *r.StartedAt)
	}
	return o.Bytes()
}

func encodeEndSession(r api.EndSessionRequest) []byte {
	o := wire.NewObj()
	optStr(o, "client_id", r.ClientID)
	optStr(o, "anonymous", anonPtr(r.Anonymous))
	return o.Bytes()
}

func encodeSignNote(r api.SignNoteRequest) []byte {
	o := wire.NewObj().Int("version", r.Version)
	if r.EndSession != nil {
		o.Raw("end_session", encodeEndSession(*r.EndSession))
	}
	return o.Bytes()
}

func encodeCreateClient(r api.CreateClientRequest) []byte {
	o := wire.NewObj().Str("display_name", r.DisplayName).Str("kind", string(r.Kind))
	optStr(o, "external_ref", r.ExternalRef)
	return o.Bytes()
}

func encodePlaceLeftOut(r api.PlaceLeftOutRequest) []byte {
	return wire.NewObj().Int("version", r.Version).Str("section", r.Section).Bytes()
}

func encodeUpdateNote(r api.UpdateNoteRequest) []byte {
	return wire.NewObj().Int("version", r.Version).Raw("sections", wire.List(len(r.Sections), func(i int) []byte {
		return wire.NewObj().Str("key", r.Sections[i].Key).Str("text", r.Sections[i].Text).Bytes()
	})).Bytes()
}
