package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/sidenote/sidenote/server/internal/store"
)

// PurgeRecordingArgs asks for a session's recording to be deleted once its
// retention has passed (the job is scheduled for then).
type PurgeRecordingArgs struct {
	ClinicianID string `json:"clinician_id"`
	SessionID   string `json:"session_id"`
}

// Kind names the job.
func (PurgeRecordingArgs) Kind() string { return "purge_recording" }

type purgeRecordingWorker struct {
	river.WorkerDefaults[PurgeRecordingArgs]
	deps Deps
}

// Work deletes the recording if it is still due: the clinician may have
// chosen to keep it since, or a new upload may have replaced it.
func (w *purgeRecordingWorker) Work(ctx context.Context, job *river.Job[PurgeRecordingArgs]) error {
	return purgeRecording(ctx, w.deps, job.Args.ClinicianID, job.Args.SessionID)
}

func purgeRecording(ctx context.Context, deps Deps, clinicianID, sessionID string) error {
	notBefore, err := deps.Store.PurgeRecording(ctx, clinicianID, sessionID, func(key string) error {
		return deps.Recordings.Delete(ctx, key)
	})
	if err != nil {
		return err
	}
	if notBefore != nil {
		return river.JobSnooze(time.Until(*notBefore))
	}
	return nil
}

// SweepRecordingsArgs is the periodic safety net behind PurgeRecordingArgs:
// it deletes any recording whose time has come and whose job was lost.
type SweepRecordingsArgs struct{}

// Kind names the job.
func (SweepRecordingsArgs) Kind() string { return "sweep_recordings" }

// sweepEvery is how often the sweep runs.
const sweepEvery = time.Hour

type sweepRecordingsWorker struct {
	river.WorkerDefaults[SweepRecordingsArgs]
	deps Deps
}

func (w *sweepRecordingsWorker) Work(ctx context.Context, _ *river.Job[SweepRecordingsArgs]) error {
	for {
		due, err := w.deps.Store.RecordingsDue(ctx, 100)
		if err != nil {
			return err
		}
		for _, rec := range due {
			if err := purgeRecording(ctx, w.deps, rec.ClinicianID, rec.SessionID); err != nil {
				return err
			}
		}
		if len(due) < 100 {
			return nil
		}
	}
}

func sweepRecordingsJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(sweepEvery),
		func() (river.JobArgs, *river.InsertOpts) { return SweepRecordingsArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// PurgeRecording returns the store.Enqueue that schedules deleting a
// session's recording at the given time.
func (q *Queue) PurgeRecording(clinicianID string, at time.Time) store.Enqueue {
	return func(tx *gorm.DB, sessionID string) error {
		return q.insertTxOpts(tx, PurgeRecordingArgs{ClinicianID: clinicianID, SessionID: sessionID}, &river.InsertOpts{ScheduledAt: at})
	}
}
