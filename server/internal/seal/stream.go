package seal

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"

	"github.com/minio/sio"
)

// A sealed stream (a recording) is a small header followed by the DARE
// format of github.com/minio/sio (AES-256-GCM in 64 KiB authenticated
// packages, so a stream is never held in memory and truncation or
// reordering is detected). The header names the key and carries the salt
// from which this stream's own key is derived:
//
//	"SNS1" | len(key id) | key id | salt (32 bytes)
const streamMagic = "SNS1"

const streamSaltSize = 32

const streamInfo = "sidenote stream v1"

func streamConfig(k []byte) sio.Config {
	return sio.Config{Key: k, MinVersion: sio.Version20, CipherSuites: []byte{sio.AES_256_GCM}}
}

// EncryptReader returns a reader of src sealed with the active key.
func (kr *Keyring) EncryptReader(src io.Reader) (io.Reader, error) {
	k := kr.activeKey()
	salt := make([]byte, streamSaltSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	streamKey, err := deriveKey(k, salt, streamInfo)
	if err != nil {
		return nil, err
	}
	body, err := sio.EncryptReader(truncationIsAnError{src}, streamConfig(streamKey))
	if err != nil {
		return nil, err
	}
	var header bytes.Buffer
	header.WriteString(streamMagic)
	header.WriteByte(byte(len(k.id)))
	header.WriteString(k.id)
	header.Write(salt)
	return io.MultiReader(&header, body), nil
}

// ErrSourceTruncated is the error of a sealed stream whose source ended
// early (io.ErrUnexpectedEOF: a request body cut off mid-way).
var ErrSourceTruncated = errors.New("seal: the source ended before its declared end")

// truncationIsAnError keeps sio from sealing a cut-off source as if it were
// complete: sio reads its packages with io.ReadFull, which reports a short
// final package as io.ErrUnexpectedEOF, and so it takes a source's own
// io.ErrUnexpectedEOF for the end of the stream.
type truncationIsAnError struct{ r io.Reader }

func (t truncationIsAnError) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = ErrSourceTruncated
	}
	return n, err
}

// StreamOverhead bounds how many bytes sealing adds to a stream of size n.
func StreamOverhead(n int64) int64 {
	sealed, err := sio.EncryptedSize(uint64(n))
	if err != nil {
		return n // beyond sio's limit; Put's own limit refuses such sizes
	}
	return int64(sealed) - n + int64(len(streamMagic)+1+255+streamSaltSize)
}

// StreamHeaderMin is how many bytes HasStreamHeader needs.
const StreamHeaderMin = len(streamMagic)

// HasStreamHeader reports whether head begins like a sealed stream.
func HasStreamHeader(head []byte) bool { return bytes.HasPrefix(head, []byte(streamMagic)) }

// StreamKeyID reads the header of a sealed stream and returns the id of the
// key that sealed it.
func StreamKeyID(src io.Reader) (string, error) {
	id, _, err := readStreamHeader(src)
	return id, err
}

func readStreamHeader(src io.Reader) (id string, salt []byte, err error) {
	head := make([]byte, len(streamMagic)+1)
	if _, err := io.ReadFull(src, head); err != nil {
		return "", nil, fmt.Errorf("%w: short header", ErrCorrupt)
	}
	if string(head[:len(streamMagic)]) != streamMagic {
		return "", nil, fmt.Errorf("%w: not a sealed stream", ErrCorrupt)
	}
	rest := make([]byte, int(head[len(streamMagic)])+streamSaltSize)
	if _, err := io.ReadFull(src, rest); err != nil {
		return "", nil, fmt.Errorf("%w: short header", ErrCorrupt)
	}
	n := len(rest) - streamSaltSize
	return string(rest[:n]), rest[n:], nil
}

// DecryptReader returns a reader of the plaintext of a sealed stream. A
// stream that was altered or cut short ends in an error, never in silently
// wrong data.
func (kr *Keyring) DecryptReader(src io.Reader) (io.Reader, error) {
	id, salt, err := readStreamHeader(src)
	if err != nil {
		return nil, err
	}
	k, err := kr.lookup(id)
	if err != nil {
		return nil, err
	}
	streamKey, err := deriveKey(k, salt, streamInfo)
	if err != nil {
		return nil, err
	}
	r, err := sio.DecryptReader(src, streamConfig(streamKey))
	if err != nil {
		return nil, err
	}
	return corruptOnAuthFailure{r}, nil
}

// corruptOnAuthFailure reports sio's authentication failures as ErrCorrupt,
// the one error callers check for.
type corruptOnAuthFailure struct{ r io.Reader }

func (c corruptOnAuthFailure) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	var sioErr sio.Error
	if errors.As(err, &sioErr) {
		err = fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return n, err
}
