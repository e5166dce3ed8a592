// Package provider holds what Sidenote's clients of outside services (the
// note-writing LLM and speech-to-text) have in common.
package provider

// Failure is a provider failure. Reason is a sentence a clinician can read;
// Retryable says whether trying again later may succeed. Err is the
// underlying cause, for logs; it never holds clinical text.
type Failure struct {
	Reason    string
	Retryable bool
	Err       error
}

func (f *Failure) Error() string {
	if f.Err != nil {
		return f.Reason + " (" + f.Err.Error() + ")"
	}
	return f.Reason
}

func (f *Failure) Unwrap() error { return f.Err }
