package processtest

import (
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sidenote/sidenote/shared/api"
	"github.com/sidenote/sidenote/shared/note"
)

// soakClients is how many clinicians work at once.
const soakClients = 32

// soakDuration is how long the clients write: SIDENOTE_SOAK_DURATION (make
// soak sets 60s), or a short run for every test pass.
func soakDuration(t *testing.T) time.Duration {
	v := os.Getenv("SIDENOTE_SOAK_DURATION")
	if v == "" {
		return 6 * time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 5*time.Second {
		t.Fatalf("SIDENOTE_SOAK_DURATION=%q: want a duration of at least 5s", v)
	}
	return d
}

// TestSoakSurvivesPostgreSQLRestarts runs 32 clinicians creating sessions,
// saving summaries, generating and editing notes through the real binary
// while the test restarts its private PostgreSQL twice (see outages). Then
// every acknowledged write must read back as acknowledged, every failure
// must have been 503 unavailable, every note job must finish, every
// committed write must have its audit event, the server must serve again
// without a restart, and its goroutines must return to where they were.
func TestSoakSurvivesPostgreSQLRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test skipped with -short")
	}
	duration := soakDuration(t)
	cluster := newPrivateCluster(t)
	srv := startServer(t, cluster.url("sidenote"), map[string]string{
		"SIDENOTE_API_RATE_LIMIT":  "0",
		"SIDENOTE_AUTH_RATE_BURST": "1000",
	})
	transport := &http.Transport{MaxIdleConnsPerHost: 2 * soakClients, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport}

	workers := make([]*soakWorker, soakClients)
	for i := range workers {
		c := devLogin(t, srv.URL, hc, fmt.Sprintf("soak%02d@example.org", i))
		workers[i] = &soakWorker{id: i, c: c}
	}
	transport.CloseIdleConnections()
	// River starts its maintenance services a moment after election, each
	// after a random pause of up to a second: count once they are all up.
	baseline, baselineProfile := srv.settledGoroutines(t), srv.goroutineProfile(t)

	var (
		tally  tally
		ledger = newLedger()
		start  = time.Now()
		until  = start.Add(duration)
		wg     sync.WaitGroup
	)
	readiness := watchReadiness(srv.URL, hc)
	outageErr := make(chan error, 1)
	go func() { outageErr <- cluster.outages(start, duration, t.Logf) }()
	for _, w := range workers {
		w.tally, w.ledger = &tally, ledger
		wg.Go(func() { w.run(until) })
	}
	wg.Wait()
	if err := <-outageErr; err != nil {
		t.Fatal(err)
	}
	loadTime := time.Since(start)

	// Recovery: /readyz answers 200 again and a new clinician can write.
	waitReady(t, srv.URL, hc, 30*time.Second)
	readySeen := readiness.stop()
	after := devLogin(t, srv.URL, hc, "after-soak@example.org")
	fresh := &soakWorker{id: 99, c: after, tally: &tally, ledger: ledger}
	fresh.run(time.Now().Add(time.Second))
	if fresh.acked == 0 {
		t.Error("no write acknowledged after the database came back")
	}

	lost, awaitingRescue := ledger.verify(t, 60*time.Second, cluster.generateJobHeld(t))
	t.Logf("soak: %d clients for %s (load ran %s); requests %d, 2xx %d, 503 unavailable %d, 409 after an ambiguous retry %d, other %d; sessions %d, notes %d, note edits %d acknowledged; lost writes %d; notes awaiting River's rescue %d; /readyz 503 seen %d times",
		soakClients, duration, loadTime.Round(time.Millisecond), tally.requests.Load(), tally.success.Load(), tally.unavailable.Load(),
		tally.conflicts.Load(), tally.otherCount(), len(ledger.sessions), len(ledger.notes), ledger.edits(), lost, awaitingRescue, readySeen[http.StatusServiceUnavailable])
	// Only jobs in the workers' hands when the database died can be left
	// running: two outages, four workers each.
	if awaitingRescue > 2*4 {
		t.Errorf("%d notes wait for River's rescuer: more than the jobs in flight at the two outages", awaitingRescue)
	}
	if n := tally.otherCount(); n > 0 {
		t.Errorf("%d answers were neither 2xx, 503 unavailable nor a 409 after an ambiguous retry; first ones:\n%s", n, strings.Join(tally.otherSamples(), "\n"))
	}
	if lost > 0 {
		t.Errorf("%d acknowledged writes lost or changed", lost)
	}
	for _, problem := range cluster.unauditedWrites(t) {
		t.Errorf("unaudited write: %s", problem)
	}
	if tally.unavailable.Load() == 0 || readySeen[http.StatusServiceUnavailable] == 0 {
		t.Errorf("no 503 seen (API %d, /readyz %d): the outage did not reach the server", tally.unavailable.Load(), readySeen[http.StatusServiceUnavailable])
	}
	if len(ledger.notes) < soakClients || ledger.edits() < soakClients {
		t.Errorf("only %d notes and %d edits acknowledged: the load did not run", len(ledger.notes), ledger.edits())
	}

	// No leak: with the clients' connections closed, the goroutines settle
	// back near the count before the load.
	const slack = 5
	transport.CloseIdleConnections()
	now := srv.settledGoroutines(t)
	t.Logf("soak: server goroutines %d before the load, %d after", baseline, now)
	if now > baseline+slack {
		t.Errorf("goroutines: %d before the load, %d after (leak)\nbefore:\n%s\nafter:\n%s", baseline, now, baselineProfile, srv.goroutineProfile(t))
	}
}

// outages restarts the cluster (fast stop, start at once) at a quarter of
// the run, then at half stops it immediately, as a crash would, and starts
// it again after a fifth of the run (at most 5 s: River retries a job's
// completion for about 7 s before leaving it to the rescuer).
func (c *privateCluster) outages(start time.Time, d time.Duration, logf func(string, ...any)) error {
	at := func(offset time.Duration, what string) {
		time.Sleep(time.Until(start.Add(offset)))
		logf("soak: %s %s", time.Since(start).Round(time.Millisecond), what)
	}
	at(d/4, "restarting PostgreSQL (fast)")
	if err := c.ctl("stop", "-m", "fast"); err != nil {
		return err
	}
	if err := c.ctl("start", "-l", c.logFile(), "-o", c.options()); err != nil {
		return err
	}
	at(d/2, "stopping PostgreSQL (immediate)")
	if err := c.ctl("stop", "-m", "immediate"); err != nil {
		return err
	}
	at(d/2+min(d/5, 5*time.Second), "starting PostgreSQL")
	return c.ctl("start", "-l", c.logFile(), "-o", c.options())
}

// generateJobHeld reports whether River holds a note's generate_note job
// as running (so its rescuer will retry it), and the job's state.
func (c *privateCluster) generateJobHeld(t *testing.T) func(noteID string) (bool, string) {
	db, err := sql.Open("pgx", c.url("sidenote"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return func(noteID string) (bool, string) {
		var state string
		err := db.QueryRow(`SELECT state FROM river_job WHERE kind = 'generate_note' AND args->>'note_id' = $1 ORDER BY id DESC LIMIT 1`, noteID).Scan(&state)
		if err != nil {
			return false, "not found: " + err.Error()
		}
		return state == "running", "is " + state
	}
}

// unauditedWrites checks, in the database, that every committed write of
// the load has its audit event, acknowledged or not: a note and its one
// note.create, each edit (each version after the generated first) and its
// note.write, a summary and at least one summary.write (a retry after a
// lost answer writes it again).
func (c *privateCluster) unauditedWrites(t *testing.T) []string {
	db, err := sql.Open("pgx", c.url("sidenote"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var problems []string
	for what, query := range map[string]string{
		"notes without exactly one note.create event": `SELECT count(*) FROM notes n
			WHERE (SELECT count(*) FROM audit_events e WHERE e.action = 'note.create' AND e.resource_id = n.id) <> 1`,
		"notes whose edits and note.write events differ in number": `SELECT count(*) FROM notes n
			WHERE (SELECT count(*) FROM note_versions v WHERE v.note_id = n.id AND v.version > 1)
			   <> (SELECT count(*) FROM audit_events e WHERE e.action = 'note.write' AND e.resource_id = n.id)`,
		"summaries without a summary.write event": `SELECT count(*) FROM session_sources s WHERE s.kind = 'summary'
			AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.action = 'summary.write' AND e.resource_id = s.session_id)`,
	} {
		var n int
		if err := db.QueryRow(query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			problems = append(problems, fmt.Sprintf("%d %s", n, what))
		}
	}
	return problems
}

// tally counts every answer the clients got.
type tally struct {
	requests, success, unavailable, conflicts atomic.Int64

	mu      sync.Mutex
	other   int
	samples []string
}

// count records r; expectConflict marks a request that may meet a 409
// because an earlier attempt's answer was lost (the write committed, the
// reply did not arrive).
func (tl *tally) count(what string, r reply, expectConflict bool) {
	tl.requests.Add(1)
	switch {
	case r.ok():
		tl.success.Add(1)
	case r.err == nil && r.status == http.StatusServiceUnavailable && r.apiError().Code == api.CodeUnavailable:
		tl.unavailable.Add(1)
	case expectConflict && r.err == nil && r.status == http.StatusConflict && r.apiError().Code == api.CodeVersionConflict:
		tl.conflicts.Add(1)
	default:
		tl.mu.Lock()
		tl.other++
		if len(tl.samples) < 10 {
			tl.samples = append(tl.samples, what+": "+r.String())
		}
		tl.mu.Unlock()
	}
}

// undecodable records a 2xx whose body was not what the API promises.
func (tl *tally) undecodable(what string, r reply) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.other++
	if len(tl.samples) < 10 {
		tl.samples = append(tl.samples, what+": undecodable "+r.String())
	}
}

func (tl *tally) otherCount() int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return tl.other
}

func (tl *tally) otherSamples() []string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return append([]string(nil), tl.samples...)
}

// ledger is the client's record of every write the server acknowledged.
type ledger struct {
	mu       sync.Mutex
	sessions map[string]*ackedSession
	notes    map[string]*ackedNote
}

type ackedSession struct {
	owner   *apiClient
	summary string // "" until a summary was acknowledged
}

type ackedNote struct {
	owner *apiClient
	edits map[int]string // acknowledged version -> its subjective text
}

func newLedger() *ledger {
	return &ledger{sessions: map[string]*ackedSession{}, notes: map[string]*ackedNote{}}
}

func (l *ledger) session(id string, owner *apiClient) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sessions[id] = &ackedSession{owner: owner}
}

func (l *ledger) summary(sessionID, text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sessions[sessionID].summary = text
}

func (l *ledger) note(id string, owner *apiClient) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.notes[id] = &ackedNote{owner: owner, edits: map[int]string{}}
}

func (l *ledger) edit(noteID string, version int, text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.notes[noteID].edits[version] = text
}

func (l *ledger) edits() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, a := range l.notes {
		n += len(a.edits)
	}
	return n
}

// verify reads every acknowledged write back through the API, eight
// checks at a time, and returns how many are missing or different. Notes
// still generating get until patience to finish: their jobs must survive
// the outage. A note still generating then counts as awaiting rescue, not
// lost, only if heldForRescue finds its job held by River as running: a job
// taken from the queue just as the database died (its answer lost, or its
// completion not recorded) stays running until River's rescuer retries it,
// after the job timeout plus an hour.
func (l *ledger) verify(t *testing.T, patience time.Duration, heldForRescue func(noteID string) (bool, string)) (lost, awaitingRescue int) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	deadline := time.Now().Add(patience)
	checks := make(chan func() []string)
	var (
		lostCount, rescueCount atomic.Int64
		wg                     sync.WaitGroup
	)
	for range 8 {
		wg.Go(func() {
			for check := range checks {
				for _, problem := range check() {
					if lostCount.Add(1) <= 10 {
						t.Errorf("lost write: %s", problem)
					}
				}
			}
		})
	}
	for id, s := range l.sessions {
		checks <- func() []string { return s.check(id) }
	}
	for id, n := range l.notes {
		checks <- func() []string {
			generating, problems := n.check(id, deadline)
			if !generating {
				return problems
			}
			if held, state := heldForRescue(id); !held {
				return []string{fmt.Sprintf("note %s still generating, its job %s", id, state)}
			}
			t.Logf("note %s: generating, its job held by River for rescue", id)
			rescueCount.Add(1)
			return nil
		}
	}
	close(checks)
	wg.Wait()
	return int(lostCount.Load()), int(rescueCount.Load())
}

// check reads the session and its summary back.
func (s *ackedSession) check(id string) []string {
	if r := s.owner.call(http.MethodGet, "/api/v1/sessions/"+id, nil); !r.ok() {
		return []string{fmt.Sprintf("session %s: %s", id, r)}
	}
	if s.summary == "" {
		return nil
	}
	r := s.owner.call(http.MethodGet, "/api/v1/sessions/"+id+"/summary", nil)
	var got api.TextRequest
	if !r.ok() || r.into(&got) != nil || got.Text != s.summary {
		return []string{fmt.Sprintf("summary of session %s: %s", id, r)}
	}
	return nil
}

// check waits (until deadline) for the note's job to finish, then reads
// every acknowledged edit back from the note's versions. It reports
// whether the note was still generating at the deadline.
func (a *ackedNote) check(id string, deadline time.Time) (generating bool, problems []string) {
	var n api.Note
	for {
		r := a.owner.call(http.MethodGet, "/api/v1/notes/"+id, nil)
		if !r.ok() || r.into(&n) != nil {
			return false, []string{fmt.Sprintf("note %s: %s", id, r)}
		}
		if n.Status != api.NoteStatus("generating") {
			break
		}
		if time.Now().After(deadline) {
			return true, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n.Status != api.NoteStatus("ready") {
		return false, []string{fmt.Sprintf("note %s is %q, not ready (%s)", id, n.Status, n.FailureReason)}
	}
	if len(a.edits) == 0 {
		return false, nil
	}
	r := a.owner.call(http.MethodGet, "/api/v1/notes/"+id+"/versions", nil)
	var versions api.Page[api.NoteVersion]
	if !r.ok() || r.into(&versions) != nil {
		return false, []string{fmt.Sprintf("versions of note %s: %s", id, r)}
	}
	stored := map[int]string{}
	for _, v := range versions.Items {
		stored[v.Version] = sectionText(v.Sections, subjective)
	}
	for version, text := range a.edits {
		if got, ok := stored[version]; !ok || got != text {
			problems = append(problems, fmt.Sprintf("note %s version %d: stored %q (present %v), acknowledged %q", id, version, got, ok, text))
		}
	}
	return false, problems
}

const subjective = "subjective"

func sectionText(sections []note.Section, key string) string {
	for _, s := range sections {
		if s.Key == key {
			return s.Text
		}
	}
	return ""
}

// soakWorker is one clinician: session, summary, note, a few edits, again.
type soakWorker struct {
	id     int
	c      *apiClient
	tally  *tally
	ledger *ledger
	acked  int // writes acknowledged
}

// attempt repeats call until a 2xx (decoded into out) or until; every
// answer is tallied. A 503 is what an outage should look like: wait, retry.
func (w *soakWorker) attempt(until time.Time, what string, call func() reply, out any) bool {
	for time.Now().Before(until) {
		r := call()
		w.tally.count(what, r, false)
		if r.ok() {
			if out == nil {
				return true
			}
			if err := r.into(out); err == nil {
				return true
			}
			w.tally.undecodable(what, r)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

func (w *soakWorker) run(until time.Time) {
	for round := 0; time.Now().Before(until); round++ {
		marker := fmt.Sprintf("w%02d-r%03d", w.id, round)
		var sess api.Session
		if !w.attempt(until, "POST /sessions", func() reply {
			return w.c.call(http.MethodPost, "/api/v1/sessions", newAnonymousSession())
		}, &sess) {
			return
		}
		w.ledger.session(sess.ID, w.c)
		w.acked++

		summary := fmt.Sprintf("Fictional session %s. Client reports sleeping better and fewer panic episodes at work. Practised paced breathing. Plan: continue weekly.", marker)
		if !w.attempt(until, "PUT /sessions/:id/summary", func() reply {
			return w.c.call(http.MethodPut, "/api/v1/sessions/"+sess.ID+"/summary", api.TextRequest{Text: summary})
		}, nil) {
			return
		}
		w.ledger.summary(sess.ID, summary)
		w.acked++

		var n api.Note
		if !w.attempt(until, "POST /sessions/:id/notes", func() reply {
			return w.c.call(http.MethodPost, "/api/v1/sessions/"+sess.ID+"/notes", api.GenerateNoteRequest{Template: note.SOAP}, "Idempotency-Key", marker)
		}, &n) {
			return
		}
		w.ledger.note(n.ID, w.c)
		w.acked++
		for n.Status != api.NoteStatus("ready") {
			time.Sleep(50 * time.Millisecond)
			if !w.attempt(until, "GET /notes/:id", func() reply { return w.c.call(http.MethodGet, "/api/v1/notes/"+n.ID, nil) }, &n) {
				return
			}
		}
		for edit := 0; edit < 3 && time.Now().Before(until); {
			text := fmt.Sprintf("Edited %s #%d: client describes steadier sleep and one panic episode this week.", marker, edit)
			r := w.c.call(http.MethodPatch, "/api/v1/notes/"+n.ID, api.UpdateNoteRequest{Version: n.Version, Sections: []api.SectionEdit{{Key: subjective, Text: text}}})
			w.tally.count("PATCH /notes/:id", r, true)
			switch {
			case r.ok():
				if r.into(&n) != nil {
					w.tally.undecodable("PATCH /notes/:id", r)
					return
				}
				w.ledger.edit(n.ID, n.Version, text)
				w.acked++
				edit++
			case r.status == http.StatusConflict:
				// An earlier attempt committed but its answer was lost:
				// read the current version and edit on top of it.
				w.attempt(until, "GET /notes/:id", func() reply { return w.c.call(http.MethodGet, "/api/v1/notes/"+n.ID, nil) }, &n)
			default:
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
}
