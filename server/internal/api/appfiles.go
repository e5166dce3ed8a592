package api

import (
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"
)

// appFiles is the sidebar's directory as /app serves it: no dotfiles (a
// .git or .env left in a deployment's copy), and no symbolic link that
// leads out of the directory (os.Root refuses to leave it). No directory
// listings either: a directory reads as empty.
type appFiles struct{ dir string }

// Open opens name, a slash-separated path from the root.
func (a appFiles) Open(name string) (http.File, error) {
	name = path.Clean("/" + name)
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") {
			return nil, fs.ErrNotExist
		}
	}
	// Opened per request, so a directory built after the server started
	// (make wasm) is served too.
	root, err := os.OpenRoot(a.dir)
	if err != nil {
		return nil, err
	}
	defer root.Close() // files opened through it stay open
	rel := strings.TrimPrefix(name, "/")
	if rel == "" {
		rel = "."
	}
	f, err := root.Open(rel)
	if err != nil {
		return nil, err
	}
	return unlisted{f}, nil
}

// unlisted is a file whose directory entries are never listed.
type unlisted struct{ *os.File }

func (unlisted) Readdir(int) ([]fs.FileInfo, error) { return nil, nil }

func (unlisted) ReadDir(int) ([]fs.DirEntry, error) { return nil, nil }
