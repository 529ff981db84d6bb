// Command gotar prints Go's archive/tar view of tar files as JSON, one object per file:
// the members Next returns (name, typeflag, size, link name, mode, uid, gid) with their data read
// to the end as containerd's applier does, and the first error Next or Read returns.
//
// ocidig's differential test (tests/tar_differential.rs) compares its own walk with these views.
// Usage: go run tools/gotar/main.go FILE.tar... (writes FILE.json beside each FILE.tar).
package main

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// member is one header returned by Next.
type member struct {
	Name     string `json:"name"`
	Typeflag int    `json:"typeflag"`
	Size     int64  `json:"size"`
	Linkname string `json:"linkname"`
	Mode     int64  `json:"mode"`
	UID      int    `json:"uid"`
	GID      int    `json:"gid"`
}

// view is Go's reading of one tar file.
type view struct {
	Members []member `json:"members"`
	Error   *string  `json:"error"`
}

func read(path string) (view, error) {
	f, err := os.Open(path)
	if err != nil {
		return view{}, err
	}
	defer f.Close()
	// Hide Seek: a layer arrives as a decompressed stream, which cannot seek.
	tr := tar.NewReader(struct{ io.Reader }{f})
	v := view{Members: []member{}}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return v, nil
		}
		if err != nil {
			s := err.Error()
			v.Error = &s
			return v, nil
		}
		v.Members = append(v.Members, member{hdr.Name, int(hdr.Typeflag), hdr.Size, hdr.Linkname, hdr.Mode, hdr.Uid, hdr.Gid})
		if _, err := io.Copy(io.Discard, tr); err != nil {
			s := err.Error()
			v.Error = &s
			return v, nil
		}
	}
}

func main() {
	for _, path := range os.Args[1:] {
		v, err := read(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		out, err := json.Marshal(v)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		dst := strings.TrimSuffix(path, ".tar") + ".json"
		if err := os.WriteFile(dst, append(out, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
