package app

import (
	"github.com/sidenote/sidenote/wasm/internal/client"
	"github.com/sidenote/sidenote/wasm/internal/wire"
)

// What the sidebar keeps in Storage, as JSON written field by field.

type encoder interface{ encode() []byte }

type decoder interface{ decode(v wire.Value) }

func (a *App) saveJSON(key string, v encoder) { _ = a.d.Store.Set(key, string(v.encode())) }

func (a *App) loadJSON(key string, v decoder) bool {
	raw, ok := a.d.Store.Get(key)
	if !ok {
		return false
	}
	val, err := wire.Parse([]byte(raw))
	if err != nil || val.Kind() != wire.Object {
		return false
	}
	v.decode(val)
	return true
}

func (d textDraft) encode() []byte {
	o := wire.NewObj().Str("text", d.Text)
	if d.Queued {
		o.Bool("queued", true)
	}
	return o.Bytes()
}

func (d *textDraft) decode(v wire.Value) {
	d.Text, d.Queued = v.Get("text").Str(), v.Get("queued").Bool()
}

func readStringMap(v wire.Value) map[string]string {
	if v.Kind() != wire.Object {
		return nil
	}
	m := map[string]string{}
	for _, k := range v.Keys() {
		m[k] = v.Get(k).Str()
	}
	return m
}

func (d noteDraft) encode() []byte {
	o := wire.NewObj().Str("session_id", d.SessionID).Int("version", d.Version).Raw("sections", wire.StringMap(d.Sections))
	if len(d.Base) > 0 {
		o.Raw("base", wire.StringMap(d.Base))
	}
	if d.Conflict {
		o.Bool("conflict", true)
	}
	return o.Bytes()
}

func (d *noteDraft) decode(v wire.Value) {
	d.SessionID, d.Version = v.Get("session_id").Str(), v.Get("version").Int()
	d.Sections, d.Base = readStringMap(v.Get("sections")), readStringMap(v.Get("base"))
	d.Conflict = v.Get("conflict").Bool()
}

func (c listCache) encode() []byte {
	o := wire.NewObj()
	if c.Me != nil {
		o.Raw("me", client.EncodeClinician(*c.Me))
	}
	f := c.Filter
	o.Raw("filter", wire.NewObj().Str("assignment", f.Assignment).Str("client_id", f.ClientID).Str("from", f.From).Str("to", f.To).Str("query", f.Query).Bytes())
	return o.Raw("items", client.EncodeSessions(c.Items)).Bytes()
}

func (c *listCache) decode(v wire.Value) {
	if me := v.Get("me"); me.Kind() == wire.Object {
		m := client.DecodeClinician(me)
		c.Me = &m
	}
	f := v.Get("filter")
	c.Filter = Filter{Assignment: f.Get("assignment").Str(), ClientID: f.Get("client_id").Str(), From: f.Get("from").Str(), To: f.Get("to").Str(), Query: f.Get("query").Str()}
	c.Items = client.DecodeSessions(v.Get("items"))
}
