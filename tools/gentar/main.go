// Command gentar writes the tar files of ocidig's differential test: every header form Go's
// archive/tar reads (v7, ustar with prefix, star, GNU with long names, the pre-1.8 atime/ctime
// prefix fallback, base-256 numbers, old GNU sparse with extension blocks, PAX per-file and
// global, several x headers, GNU.sparse.* 0.0/0.1/1.0), numeric encodings, checksum variants,
// PAX record errors, truncation at every header boundary, and seeded random corruptions.
// The files are deterministic. Usage: go run tools/gentar/main.go DIR [SEED COUNT]
// (SEED and COUNT change the random corruptions, for a longer local soak; the checked-in set
// uses the defaults 18 and 260).
package main

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
)

type hdr struct {
	name, link, prefix string
	typeflag           byte
	size, mode         int64
	uid, gid           int64
	format             string // "ustar" (default), "v7", "gnu", "star"
	raw                map[int][]byte
	chk                string // "", "signed", "bad", "spaces", "empty", "nonoctal"
}

func octal(b []byte, v int64) {
	s := strconv.FormatInt(v, 8)
	for len(s) < len(b)-1 {
		s = "0" + s
	}
	copy(b, s)
	b[len(b)-1] = 0
}

func block(h hdr) []byte {
	b := make([]byte, 512)
	copy(b[0:100], h.name)
	if h.mode == 0 {
		h.mode = 0o644
	}
	octal(b[100:108], h.mode)
	octal(b[108:116], h.uid)
	octal(b[116:124], h.gid)
	octal(b[124:136], h.size)
	octal(b[136:148], 0o14000000000)
	if h.typeflag == 0 && h.raw == nil {
		h.typeflag = '0'
	}
	b[156] = h.typeflag
	copy(b[157:257], h.link)
	switch h.format {
	case "v7":
	case "gnu":
		copy(b[257:265], "ustar  \x00")
	case "star":
		copy(b[257:263], "ustar\x00")
		copy(b[263:265], "00")
		copy(b[345:476], h.prefix)
		copy(b[508:512], "tar\x00")
	default:
		copy(b[257:263], "ustar\x00")
		copy(b[263:265], "00")
		copy(b[345:500], h.prefix)
	}
	if h.format != "v7" {
		copy(b[265:297], "root")
		copy(b[297:329], "root")
		if h.format != "gnu" {
			octal(b[329:337], 0)
			octal(b[337:345], 0)
		}
	}
	for at, v := range h.raw {
		copy(b[at:], v)
	}
	checksum(b, h.chk)
	return b
}

func checksum(b []byte, how string) {
	copy(b[148:156], "        ")
	var u, s int64
	for _, c := range b {
		u += int64(c)
		s += int64(int8(c))
	}
	v := u
	if how == "signed" {
		v = s
	}
	switch how {
	case "bad":
		v++
	case "spaces":
		copy(b[148:156], fmt.Sprintf("%6o  ", v))
		return
	case "empty":
		copy(b[148:156], "\x00\x00\x00\x00\x00\x00\x00\x00")
		return
	case "nonoctal":
		copy(b[148:156], "12345 9\x00")
		return
	case "leading":
		copy(b[148:156], fmt.Sprintf("  %5o\x00", v))
		return
	}
	copy(b[148:156], fmt.Sprintf("%06o\x00 ", v))
}

func pad(data []byte) []byte {
	out := append([]byte{}, data...)
	for len(out)%512 != 0 {
		out = append(out, 0)
	}
	return out
}

func paxRec(k, v string) string {
	n := len(k) + len(v) + 3
	n += len(strconv.Itoa(n))
	if len(strconv.Itoa(n))+len(k)+len(v)+3 != n {
		n++
	}
	return fmt.Sprintf("%d %s=%s\n", n, k, v)
}

type tw struct{ buf bytes.Buffer }

func (t *tw) member(h hdr, data []byte) *tw {
	if h.size == 0 && len(data) > 0 {
		h.size = int64(len(data))
	}
	t.buf.Write(block(h))
	t.buf.Write(pad(data))
	return t
}
func (t *tw) file(name string, data string) *tw {
	return t.member(hdr{name: name}, []byte(data))
}
func (t *tw) ext(typeflag byte, body string) *tw {
	f := "ustar"
	if typeflag == 'L' || typeflag == 'K' {
		f = "gnu"
	}
	return t.member(hdr{name: "././@PaxHeader", typeflag: typeflag, format: f}, []byte(body))
}
func (t *tw) pax(recs ...string) *tw {
	body := ""
	for i := 0; i+1 < len(recs); i += 2 {
		body += paxRec(recs[i], recs[i+1])
	}
	return t.ext('x', body)
}
func (t *tw) end() *tw      { t.buf.Write(make([]byte, 1024)); return t }
func (t *tw) bytes() []byte { return t.buf.Bytes() }

var out string
var n int

func emit(desc string, data []byte) {
	n++
	name := fmt.Sprintf("%04d-%s.tar", n, desc)
	if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
		panic(err)
	}
}

// tail appends members whose audit matters: a traversal, a setuid file and a device node.
func tail(t *tw) *tw {
	t.file("../../../etc/cron.d/evil", "x")
	t.member(hdr{name: "usr/bin/sudo", mode: 0o4755}, []byte("s"))
	t.member(hdr{name: "dev/sda", typeflag: '4', mode: 0o660}, nil)
	return t
}

func gnuSparse(name string, realsize int64, entries [][2]int64, ext [][][2]int64, data []byte, format string) []byte {
	h := hdr{name: name, typeflag: 'S', size: int64(len(data)), format: format, raw: map[int][]byte{}}
	b := block(h)
	area := b[386:]
	for i, e := range entries {
		if i >= 4 {
			break
		}
		octal(area[i*24:i*24+12], e[0])
		octal(area[i*24+12:i*24+24], e[1])
	}
	if len(ext) > 0 {
		b[482] = 1
	}
	octal(b[483:495], realsize)
	checksum(b, "")
	out := append([]byte{}, b...)
	for i, blk := range ext {
		x := make([]byte, 512)
		for j, e := range blk {
			if j >= 21 {
				break
			}
			octal(x[j*24:j*24+12], e[0])
			octal(x[j*24+12:j*24+24], e[1])
		}
		if i+1 < len(ext) {
			x[504] = 1
		}
		out = append(out, x...)
	}
	return append(out, pad(data)...)
}

func main() {
	out = os.Args[1]
	if err := os.MkdirAll(out, 0o755); err != nil {
		panic(err)
	}
	seed, count := int64(18), 260
	if len(os.Args) == 4 {
		var err error
		if seed, err = strconv.ParseInt(os.Args[2], 10, 64); err != nil {
			panic(err)
		}
		if count, err = strconv.Atoi(os.Args[3]); err != nil {
			panic(err)
		}
	}
	rng := rand.New(rand.NewSource(seed))

	// 1. Numeric encodings of every numeric field.
	fields := []struct {
		name  string
		at, w int
	}{{"mode", 100, 8}, {"uid", 108, 8}, {"gid", 116, 8}, {"size", 124, 12}, {"mtime", 136, 12}, {"devmajor", 329, 8}, {"devminor", 337, 8}}
	encs := []struct {
		name string
		f    func(w int) []byte
	}{
		{"octal-nul", func(w int) []byte { b := make([]byte, w); octal(b, 5); return b }},
		{"octal-space", func(w int) []byte { b := bytes.Repeat([]byte("0"), w); b[w-2] = '5'; b[w-1] = ' '; return b }},
		{"octal-full", func(w int) []byte { b := bytes.Repeat([]byte("0"), w); b[w-1] = '5'; return b }},
		{"leading-space", func(w int) []byte { b := bytes.Repeat([]byte(" "), w); b[w-2] = '5'; b[w-1] = 0; return b }},
		{"all-nul", func(w int) []byte { return make([]byte, w) }},
		{"all-space", func(w int) []byte { return bytes.Repeat([]byte(" "), w) }},
		{"base256", func(w int) []byte { b := make([]byte, w); b[0] = 0x80; b[w-1] = 5; return b }},
		{"base256-neg", func(w int) []byte { return bytes.Repeat([]byte{0xff}, w) }},
		{"base256-big", func(w int) []byte { b := make([]byte, w); b[0] = 0x80; b[1] = 0x7f; return b }},
		{"garbage", func(w int) []byte { b := make([]byte, w); copy(b, "12a"); return b }},
		{"inner-nul", func(w int) []byte { b := make([]byte, w); copy(b, "5\x007"); return b }},
		{"digit8", func(w int) []byte { b := make([]byte, w); copy(b, "0008"); return b }},
		{"plus", func(w int) []byte { b := make([]byte, w); copy(b, "+5"); return b }},
	}
	for _, f := range fields {
		for _, e := range encs {
			for _, tf := range []byte{'0', '5'} {
				t := &tw{}
				h := hdr{name: "f", typeflag: tf, raw: map[int][]byte{f.at: e.f(f.w)}}
				t.member(h, nil)
				if f.name == "size" && tf == '0' {
					t.buf.Write(make([]byte, 512))
				}
				tail(t).end()
				emit(fmt.Sprintf("num-%s-%s-%c", f.name, e.name, tf), t.bytes())
			}
		}
	}

	// 2. Checksum variants.
	for _, c := range []string{"", "signed", "bad", "spaces", "empty", "nonoctal", "leading"} {
		for _, name := range []string{"plain", "caf\xe9-\xff\xfe"} {
			t := &tw{}
			t.buf.Write(block(hdr{name: name, chk: c}))
			tail(t).end()
			emit("chk-"+c+"-"+strconv.Itoa(len(name)), t.bytes())
		}
	}

	// 3. Formats and names.
	for _, f := range []string{"v7", "ustar", "gnu", "star"} {
		for _, p := range []string{"", "usr/lib", "../../etc"} {
			t := &tw{}
			t.member(hdr{name: "file", prefix: p, format: f}, []byte("data"))
			t.member(hdr{name: "dir/", typeflag: 0, format: f, raw: map[int][]byte{156: {0}}}, nil)
			tail(t).end()
			emit("fmt-"+f+"-prefix"+strconv.Itoa(len(p)), t.bytes())
		}
	}
	// GNU atime/ctime prefix fallback (Go's pre-1.8 compatibility path).
	for i, pre := range []string{"../../../etc/cron.d", "usr/share", "caf\xe9", "12345670123"} {
		for _, which := range []int{345, 357} {
			t := &tw{}
			raw := map[int][]byte{345: []byte(pre + "\x00")}
			if len(pre) < 12 && which == 357 {
				raw = map[int][]byte{345: append([]byte("00000000000\x00"), []byte(pre+"x\x00")...)}
			}
			t.member(hdr{name: "evil", format: "gnu", mode: 0o4755, raw: raw}, []byte("#!"))
			tail(t).end()
			emit(fmt.Sprintf("gnu-fallback-%d-%d", i, which), t.bytes())
		}
	}
	// star with bad atime.
	{
		t := &tw{}
		t.member(hdr{name: "f", format: "star", prefix: "p", raw: map[int][]byte{476: []byte("zz\x00")}}, nil)
		emit("star-bad-atime", tail(t).end().bytes())
	}
	// ustar magic with another version: Go still joins the prefix.
	{
		t := &tw{}
		t.member(hdr{name: "f", prefix: "../x", raw: map[int][]byte{263: []byte("xx")}}, nil)
		emit("ustar-version-xx", tail(t).end().bytes())
	}

	// 4. Typeflags.
	for _, tf := range []byte{'0', 0, '1', '2', '3', '4', '5', '6', '7', 'A', 'D', 'I', 'M', 'N', 'S', 'V', 'X', 'Z', 'z', 0xff} {
		for _, size := range []int64{0, 5} {
			t := &tw{}
			data := []byte{}
			if size > 0 {
				data = []byte("12345")
			}
			t.member(hdr{name: "m", typeflag: tf, link: "target", size: size, raw: map[int][]byte{156: {tf}}}, data)
			tail(t).end()
			emit(fmt.Sprintf("type-%02x-size%d", tf, size), t.bytes())
		}
	}
	for _, name := range []string{"d/", "d", "d//"} {
		t := &tw{}
		t.member(hdr{name: name, raw: map[int][]byte{156: {0}}}, nil)
		emit("regA-"+strconv.Itoa(len(name)), tail(t).end().bytes())
	}

	// 5. PAX records.
	paxCases := [][]string{
		{"path", "../../../etc/cron.d/evil"},
		{"path", ""},
		{"path", "a\x00b"},
		{"linkpath", "/etc/shadow"},
		{"linkpath", "x\x00"},
		{"size", "3"},
		{"size", "-1"},
		{"size", "+3"},
		{"size", "abc"},
		{"size", ""},
		{"uid", "1000"},
		{"uid", "-5"},
		{"uid", "x"},
		{"gid", "99999999999"},
		{"gid", "1e3"},
		{"mtime", "1234.5678"},
		{"mtime", "-12.5"},
		{"mtime", "x"},
		{"mtime", "12.5x"},
		{"atime", "."},
		{"ctime", "1."},
		{"uname", "a\x00"},
		{"gname", "root"},
		{"comment", "a\x00b"},
		{"co\x00mment", "x"},
		{"SCHILY.xattr.security.capability", "\x01\x02"},
		{"GOLANG.pkg", "v"},
	}
	for i, c := range paxCases {
		for _, data := range []string{"", "abc"} {
			t := &tw{}
			t.pax(c[0], c[1])
			t.member(hdr{name: "ustar-name", size: int64(len(data))}, []byte(data))
			tail(t).end()
			emit(fmt.Sprintf("pax-%02d-%d", i, len(data)), t.bytes())
		}
	}
	rawPax := []string{
		"9 path=a\n", "10 path=a\n", "8 path=a\n", "x path=a\n", "9path=a\n", "9 path=a ", "9 patha\n\n",
		"+9 path=a\n", "09 path=a\n", "7 =abc\n", "5 a=\n\n", "4 a=\n", "", "9 path=a\n3 \n", "99999999999999999999 a=b\n",
		"9 path=a\n12 uid=1000\n", "11 path=a\nb\n", "6 a=b\n", "-9 path=a\n",
	}
	for i, body := range rawPax {
		t := &tw{}
		t.ext('x', body)
		t.file("name", "z")
		emit(fmt.Sprintf("paxraw-%02d", i), tail(t).end().bytes())
	}
	// Several x headers before one member: Go keeps the last set.
	multi := [][][]string{
		{{"path", "etc/cron.d/evil"}, {"path", "usr/share/doc/readme"}},
		{{"path", "usr/share/doc/readme"}, {"mode", "x"}},
		{{"path", "a"}, {"size", "5"}},
		{{"size", "700"}, {"path", "b"}},
		{{"uid", "7"}, {"gid", "8"}},
	}
	for i, m := range multi {
		t := &tw{}
		for _, r := range m {
			t.pax(r[0], r[1])
		}
		t.member(hdr{name: "ustar", mode: 0o4755, size: 5}, []byte("12345"))
		emit(fmt.Sprintf("pax-multi-%d", i), tail(t).end().bytes())
	}
	// Global headers and their interplay with x and L.
	seqs := []string{"g", "xg", "gx", "Lg", "gL", "xL", "Lx", "LL", "xx", "KL", "L", "K", "x", "Lempty", "xg-bad"}
	for _, s := range seqs {
		t := &tw{}
		switch s {
		case "Lempty":
			t.ext('L', "\x00")
		case "xg-bad":
			t.pax("path", "p1")
			t.ext('g', "7 a=b\n")
		default:
			for _, c := range s {
				switch c {
				case 'g':
					t.ext('g', paxRec("path", "global/path"))
				case 'x':
					t.pax("path", "pax/path")
				case 'L':
					t.ext('L', "gnu/long/name\x00")
				case 'K':
					t.ext('K', "gnu/long/link\x00")
				}
			}
		}
		t.member(hdr{name: "ustar", typeflag: '2', link: "l"}, nil)
		emit("seq-"+s, tail(t).end().bytes())
	}
	// Extension records at the end of the archive.
	for _, s := range []string{"x", "L", "g"} {
		t := &tw{}
		t.file("a", "1")
		t.ext(s[0], paxRec("path", "p"))
		emit("ext-at-end-"+s, t.end().bytes())
		t2 := &tw{}
		t2.file("a", "1")
		t2.ext(s[0], paxRec("path", "p"))
		emit("ext-at-eof-"+s, t2.bytes())
	}
	// Oversized extension claim (payload cut short).
	{
		t := &tw{}
		t.buf.Write(block(hdr{name: "big", typeflag: 'x', size: 2 << 20}))
		t.buf.Write(make([]byte, 1024))
		emit("pax-oversized-claim", t.bytes())
	}

	// 6. Old GNU sparse.
	sparseCases := []struct {
		name     string
		realsize int64
		entries  [][2]int64
		ext      [][][2]int64
		data     int
		format   string
	}{
		{"basic", 10240, [][2]int64{{0, 512}, {4096, 512}}, nil, 1024, "gnu"},
		{"empty-map", 4096, nil, nil, 0, "gnu"},
		{"ext1", 1 << 20, [][2]int64{{0, 1}, {10, 1}, {20, 1}, {30, 1}}, [][][2]int64{{{40, 1}, {50, 1}}}, 6, "gnu"},
		{"ext2", 1 << 20, [][2]int64{{0, 1}, {10, 1}, {20, 1}, {30, 1}}, [][][2]int64{{{40, 1}}, {{50, 1}, {60, 1}}}, 7, "gnu"},
		{"ext-empty", 100, [][2]int64{{0, 1}}, [][][2]int64{{}}, 1, "gnu"},
		{"overlap", 100, [][2]int64{{0, 10}, {5, 10}}, nil, 20, "gnu"},
		{"beyond", 100, [][2]int64{{90, 20}}, nil, 20, "gnu"},
		{"miss-data", 100, [][2]int64{{0, 50}}, nil, 10, "gnu"},
		{"unref-data", 100, [][2]int64{{0, 5}}, nil, 10, "gnu"},
		{"ustar-magic", 100, [][2]int64{{0, 5}}, nil, 5, "ustar"},
		{"v7-magic", 100, [][2]int64{{0, 5}}, nil, 5, "v7"},
	}
	for _, c := range sparseCases {
		t := &tw{}
		t.buf.Write(gnuSparse("../../../etc/sparse", c.realsize, c.entries, c.ext, bytes.Repeat([]byte("D"), c.data), c.format))
		tail(t).end()
		emit("oldsparse-"+c.name, t.bytes())
		if c.name == "ext2" {
			full := t.bytes()
			for cut := 512; cut <= 2048; cut += 512 {
				emit(fmt.Sprintf("oldsparse-ext2-cut%d", cut), full[:cut])
			}
		}
	}
	{
		t := &tw{}
		b := gnuSparse("bad-realsize", 100, [][2]int64{{0, 5}}, nil, []byte("12345"), "gnu")
		copy(b[483:495], "zz\x00")
		checksum(b[:512], "")
		t.buf.Write(b)
		emit("oldsparse-bad-realsize", tail(t).end().bytes())
		t2 := &tw{}
		b2 := gnuSparse("bad-entry", 100, [][2]int64{{0, 5}}, nil, []byte("12345"), "gnu")
		copy(b2[386:398], "9x\x00")
		checksum(b2[:512], "")
		t2.buf.Write(b2)
		emit("oldsparse-bad-entry", tail(t2).end().bytes())
	}

	// 7. PAX GNU sparse 0.0, 0.1, 1.0.
	type sp struct {
		name string
		recs []string
		data string
		typ  byte
	}
	map10 := func(s string, dataLen int) string {
		b := pad([]byte(s))
		return string(b) + string(bytes.Repeat([]byte("D"), dataLen))
	}
	sps := []sp{
		{"00", []string{"GNU.sparse.size", "100", "GNU.sparse.numblocks", "1", "GNU.sparse.offset", "0", "GNU.sparse.numbytes", "5", "GNU.sparse.name", "../../../etc/cron.d/evil"}, "12345", '0'},
		{"00-order", []string{"GNU.sparse.numbytes", "5", "GNU.sparse.offset", "0"}, "12345", '0'},
		{"00-comma", []string{"GNU.sparse.numblocks", "1", "GNU.sparse.offset", "0,1", "GNU.sparse.numbytes", "5"}, "12345", '0'},
		{"01", []string{"GNU.sparse.major", "0", "GNU.sparse.minor", "1", "GNU.sparse.name", "sparse/real", "GNU.sparse.size", "100", "GNU.sparse.numblocks", "2", "GNU.sparse.map", "0,5,50,5"}, "1234567890", '0'},
		{"01-guess", []string{"GNU.sparse.name", "guess", "GNU.sparse.size", "100", "GNU.sparse.numblocks", "1", "GNU.sparse.map", "0,5"}, "12345", '0'},
		{"01-badmap", []string{"GNU.sparse.major", "0", "GNU.sparse.minor", "1", "GNU.sparse.size", "100", "GNU.sparse.numblocks", "2", "GNU.sparse.map", "0,5,50"}, "12345", '0'},
		{"01-nonum", []string{"GNU.sparse.major", "0", "GNU.sparse.minor", "1", "GNU.sparse.size", "100", "GNU.sparse.map", "0,5"}, "12345", '0'},
		{"01-overlap", []string{"GNU.sparse.major", "0", "GNU.sparse.minor", "1", "GNU.sparse.size", "100", "GNU.sparse.numblocks", "2", "GNU.sparse.map", "0,10,5,5"}, "123456789012345", '0'},
		{"01-beyond", []string{"GNU.sparse.major", "0", "GNU.sparse.minor", "1", "GNU.sparse.size", "10", "GNU.sparse.numblocks", "1", "GNU.sparse.map", "5,10"}, "1234567890", '0'},
		{"01-miss", []string{"GNU.sparse.major", "0", "GNU.sparse.minor", "1", "GNU.sparse.size", "100", "GNU.sparse.numblocks", "1", "GNU.sparse.map", "0,50"}, "12345", '0'},
		{"01-unref", []string{"GNU.sparse.major", "0", "GNU.sparse.minor", "1", "GNU.sparse.size", "100", "GNU.sparse.numblocks", "1", "GNU.sparse.map", "0,2"}, "12345", '0'},
		{"01-badsize", []string{"GNU.sparse.major", "0", "GNU.sparse.minor", "1", "GNU.sparse.size", "x", "GNU.sparse.numblocks", "0", "GNU.sparse.map", ""}, "", '0'},
		{"01-realsize", []string{"GNU.sparse.major", "0", "GNU.sparse.minor", "1", "GNU.sparse.realsize", "77", "GNU.sparse.numblocks", "0"}, "", '0'},
		{"01-dir", []string{"GNU.sparse.major", "0", "GNU.sparse.minor", "1", "GNU.sparse.size", "0", "GNU.sparse.numblocks", "0"}, "", '5'},
		{"unknown-version", []string{"GNU.sparse.major", "2", "GNU.sparse.minor", "0", "GNU.sparse.name", "ignored", "GNU.sparse.size", "100"}, "12345", '0'},
		{"10", []string{"GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.name", "../../../etc/cron.d/evil", "GNU.sparse.realsize", "100"}, map10("2\n0\n5\n50\n5\n", 10), '0'},
		{"10-empty", []string{"GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.name", "empty", "GNU.sparse.realsize", "100"}, map10("0\n", 0), '0'},
		{"10-bad", []string{"GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.realsize", "100"}, map10("1\nx\n5\n", 5), '0'},
		{"10-short", []string{"GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.realsize", "100"}, "2\n0\n5\n", '0'},
		{"10-noblock", []string{"GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.realsize", "100"}, "1\n0\n5\n12345", '0'},
		{"10-miss", []string{"GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.realsize", "100"}, map10("1\n0\n50\n", 5), '0'},
		{"10-unref", []string{"GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.realsize", "100"}, map10("1\n0\n5\n", 50), '0'},
		{"10-neg", []string{"GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.realsize", "100"}, map10("-1\n", 0), '0'},
		{"10-sign", []string{"GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.realsize", "100"}, map10("+1\n+0\n+5\n", 5), '0'},
		{"10-long", []string{"GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.realsize", "100000"}, map10("100\n"+func() string {
			s := ""
			for i := 0; i < 100; i++ {
				s += fmt.Sprintf("%d\n1\n", i*10)
			}
			return s
		}(), 100), '0'},
	}
	for _, c := range sps {
		t := &tw{}
		t.pax(c.recs...)
		t.member(hdr{name: "GNUSparseFile.0/placeholder", typeflag: c.typ, mode: 0o4755, size: int64(len(c.data))}, []byte(c.data))
		tail(t).end()
		emit("paxsparse-"+c.name, t.bytes())
	}

	// 8. End markers and trailing bytes.
	{
		base := (&tw{}).file("a", "1")
		b := base.bytes()
		emit("end-none", b)
		emit("end-one-zero", append(append([]byte{}, b...), make([]byte, 512)...))
		x := append(append([]byte{}, b...), make([]byte, 512)...)
		x = append(x, block(hdr{name: "hidden/../../x"})...)
		emit("end-zero-then-header", append(x, make([]byte, 1024)...))
		y := append(append([]byte{}, b...), make([]byte, 512)...)
		emit("end-zero-then-partial", append(y, 1, 2, 3))
		z := append(append([]byte{}, b...), make([]byte, 1024)...)
		emit("end-trailing-garbage", append(z, []byte("garbage")...))
		emit("end-partial-zero", append(append([]byte{}, b...), make([]byte, 100)...))
	}

	// 9. Truncation at every header boundary (and inside) of a few archives.
	bases := [][]byte{}
	{
		t := &tw{}
		t.pax("path", "pax/long/"+string(bytes.Repeat([]byte("p"), 120)), "uid", "5")
		t.file("short", "hello world")
		t.ext('L', "gnu/"+string(bytes.Repeat([]byte("l"), 120))+"\x00")
		t.member(hdr{name: "trunc", format: "gnu"}, bytes.Repeat([]byte("d"), 700))
		t.member(hdr{name: "link", typeflag: '2', link: "short"}, nil)
		t.end()
		bases = append(bases, t.bytes())
		bases = append(bases, gnuSparse("sp", 1<<20, [][2]int64{{0, 1}, {10, 1}, {20, 1}, {30, 1}}, [][][2]int64{{{40, 1}}}, []byte("12345"), "gnu"))
		t3 := &tw{}
		t3.pax("GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.realsize", "100", "GNU.sparse.name", "s10")
		t3.member(hdr{name: "ph", size: 517}, []byte(map10("1\n0\n5\n", 5)))
		t3.end()
		bases = append(bases, t3.bytes())
		t4 := &tw{}
		t4.buf.Write(gnuSparse("s", 1<<20, [][2]int64{{0, 1}, {10, 1}, {20, 1}, {30, 1}}, [][][2]int64{{{40, 1}}, {{50, 1}}}, []byte("123456"), "gnu"))
		t4.pax("GNU.sparse.major", "0", "GNU.sparse.minor", "1", "GNU.sparse.size", "100", "GNU.sparse.numblocks", "1", "GNU.sparse.map", "0,5", "GNU.sparse.name", "s01")
		t4.member(hdr{name: "ph01", size: 5}, []byte("12345"))
		bases = append(bases, tail(t4).end().bytes())
		t5 := &tw{}
		t5.member(hdr{name: "evil", format: "gnu", mode: 0o4755, raw: map[int][]byte{345: []byte("../../../etc/cron.d\x00")}}, []byte("#!"))
		t5.pax("path", "first")
		t5.ext('g', paxRec("comment", "g"))
		t5.pax("path", "second", "uid", "7")
		t5.pax("mtime", "1.5")
		t5.ext('L', "long/name\x00")
		t5.ext('K', "long/link\x00")
		t5.member(hdr{name: "hl", typeflag: '1', link: "evil"}, nil)
		bases = append(bases, tail(t5).end().bytes())
	}
	for bi, b := range bases {
		for cut := 0; cut < len(b); cut += 512 {
			emit(fmt.Sprintf("cut-%d-%05d", bi, cut), b[:cut])
			if cut+100 < len(b) {
				emit(fmt.Sprintf("cut-%d-%05d", bi, cut+100), b[:cut+100])
			}
		}
	}

	// 10. Seeded random corruptions of the archives above, headers kept valid half the time.
	for i := 0; i < count; i++ {
		src := bases[i%len(bases)]
		b := append([]byte{}, src...)
		flips := 1 + rng.Intn(4)
		for j := 0; j < flips; j++ {
			at := rng.Intn(len(b))
			switch rng.Intn(3) {
			case 0:
				b[at] ^= 1 << uint(rng.Intn(8))
			case 1:
				const chars = "0123456789 \x00x/.\n=-+"
				b[at] = chars[rng.Intn(len(chars))]
			default:
				b[at] = byte(rng.Intn(256))
			}
			if rng.Intn(2) == 0 {
				start := at / 512 * 512
				if start+512 <= len(b) {
					checksum(b[start:start+512], "")
				}
			}
		}
		emit(fmt.Sprintf("rand-%03d", i), b)
	}
	fmt.Println(n, "files")
}
