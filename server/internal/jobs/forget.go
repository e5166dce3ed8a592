package jobs

import (
	"database/sql"
	"errors"

	"github.com/riverqueue/river"
	"gorm.io/gorm"
)

// forgetBatch is how many jobs one delete removes.
const forgetBatch = 500

// ForgetClinician is this queue's store.ForgetJobs: inside tx, the
// transaction deleting an account, it deletes every job whose arguments
// name the clinician, whatever its state, except one running right now
// (River never deletes those): it finds its rows gone, ends, and is pruned
// with the other finished jobs.
func (q *Queue) ForgetClinician(tx *gorm.DB, clinicianID string) error {
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return errors.New("jobs: forgetting a clinician's jobs needs a database transaction")
	}
	// ->> 'key' reads a top-level JSON field in PostgreSQL and in SQLite.
	params := river.NewJobDeleteManyParams().First(forgetBatch).
		Where("args ->> 'clinician_id' = @clinician", river.NamedArgs{"clinician": clinicianID})
	for {
		res, err := q.client.JobDeleteManyTx(tx.Statement.Context, sqlTx, params)
		if err != nil {
			return err
		}
		if len(res.Jobs) < forgetBatch {
			return nil
		}
	}
}
