// Command tlogverify checks the publication register with Go's own transparency-log
// packages (golang.org/x/mod/sumdb/note and sumdb/tlog), none of our code: the C2SP
// checkpoint's note signature, the tiles against the signed root, every entry bundle
// against its leaf with an inclusion proof, a consistency proof from an older
// checkpoint, and the proofs served by the register's API.
//
// The log is read over HTTP (-base http://host/register/log) or from a directory that
// holds the same paths (-base /tmp/log). It prints one line per failure and exits 1.
//
//	tlogverify -base URL|DIR -vkey VKEY [-vkey VKEY...] [-origin O]
//	           [-checkpoint FILE] [-old FILE] [-proofs FILE]
package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

var base string

// fetch reads a path of the log, over HTTP or from the directory.
func fetch(rel string) ([]byte, error) {
	if strings.HasPrefix(base, "http://") || strings.HasPrefix(base, "https://") {
		resp, err := http.Get(strings.TrimSuffix(base, "/") + "/" + rel)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s", rel, resp.Status)
		}
		return body, nil
	}
	return os.ReadFile(filepath.Join(base, filepath.FromSlash(rel)))
}

// tilePath maps Go's "tile/8/L/N[.p/W]" (and "tile/8/data/...") to C2SP tlog-tiles,
// whose paths carry no height (always 8) and name data tiles "entries".
func tilePath(t tlog.Tile) string {
	rel := strings.TrimPrefix(t.Path(), "tile/8/")
	if strings.HasPrefix(rel, "data/") {
		rel = "entries/" + strings.TrimPrefix(rel, "data/")
	}
	return "tile/" + rel
}

type tileReader struct{}

func (tileReader) Height() int { return 8 }

func (tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := fetch(tilePath(t))
		if err != nil {
			return nil, err
		}
		if len(data) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("%s: %d bytes, want %d", tilePath(t), len(data), t.W*tlog.HashSize)
		}
		out[i] = data
	}
	return out, nil
}

func (tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

type checkpoint struct {
	origin string
	tree   tlog.Tree
}

// openCheckpoint verifies the note signature and parses a C2SP checkpoint body.
func openCheckpoint(msg []byte, verifiers note.Verifiers) (checkpoint, error) {
	n, err := note.Open(msg, verifiers)
	if err != nil {
		return checkpoint{}, fmt.Errorf("checkpoint signature: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 {
		return checkpoint{}, fmt.Errorf("checkpoint: fewer than 3 lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return checkpoint{}, fmt.Errorf("checkpoint: malformed tree size %q", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return checkpoint{}, fmt.Errorf("checkpoint: malformed root hash %q", lines[2])
	}
	var h tlog.Hash
	copy(h[:], root)
	return checkpoint{origin: lines[0], tree: tlog.Tree{N: size, Hash: h}}, nil
}

type proofs struct {
	Inclusion []struct {
		Index     int64    `json:"index"`
		TreeSize  int64    `json:"tree_size"`
		LeafHash  string   `json:"leaf_hash"`
		AuditPath []string `json:"audit_path"`
	} `json:"inclusion"`
	Consistency []struct {
		First           int64    `json:"first"`
		Second          int64    `json:"second"`
		ConsistencyPath []string `json:"consistency_path"`
	} `json:"consistency"`
}

func hashes(hexes []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(hexes))
	for i, s := range hexes {
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("malformed hash %q", s)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

func main() {
	var vkeys listFlag
	flag.StringVar(&base, "base", "", "log prefix: URL or directory")
	flag.Var(&vkeys, "vkey", "trusted note verifier key (repeatable)")
	origin := flag.String("origin", "", "expected origin line")
	cpFile := flag.String("checkpoint", "", "checkpoint file (default: <base>/checkpoint)")
	oldFile := flag.String("old", "", "an older checkpoint: prove consistency with it")
	proofFile := flag.String("proofs", "", "JSON of the API's proofs to check")
	maxEntries := flag.Int64("max-entries", 5000, "check at most this many entries")
	flag.Parse()

	failures := 0
	fail := func(format string, args ...interface{}) {
		failures++
		fmt.Printf("FAIL "+format+"\n", args...)
	}
	defer func() {
		if failures > 0 {
			os.Exit(1)
		}
	}()

	var list []note.Verifier
	for _, v := range vkeys {
		verifier, err := note.NewVerifier(v)
		if err != nil {
			fail("vkey %q: %v", v, err)
			return
		}
		list = append(list, verifier)
	}
	verifiers := note.VerifierList(list...)

	var msg []byte
	var err error
	if *cpFile != "" {
		msg, err = os.ReadFile(*cpFile)
	} else {
		msg, err = fetch("checkpoint")
	}
	if err != nil {
		fail("checkpoint: %v", err)
		return
	}
	cp, err := openCheckpoint(msg, verifiers)
	if err != nil {
		fail("%v", err)
		return
	}
	if *origin != "" && cp.origin != *origin {
		fail("origin %q, want %q", cp.origin, *origin)
		return
	}
	tree := cp.tree
	reader := tlog.TileHashReader(tree, tileReader{})
	// TileHashReader authenticates every tile against the signed root hash.
	th, err := tlog.TreeHash(tree.N, reader)
	if err != nil {
		fail("tree hash from tiles: %v", err)
		return
	}
	if th != tree.Hash {
		fail("tree hash from tiles %v, signed %v", th, tree.Hash)
		return
	}

	// Every entry (up to -max-entries): its bundle entry hashes to the leaf of the level-0
	// tile, and an inclusion proof built from the tiles leads to the signed root.
	checked := int64(0)
	for start := int64(0); start < tree.N && checked < *maxEntries; start += 256 {
		width := tree.N - start
		if width > 256 {
			width = 256
		}
		bundleTile := tlog.Tile{H: 8, L: -1, N: start / 256, W: int(width)}
		data, err := fetch(tilePath(bundleTile))
		if err != nil {
			fail("entry bundle %d: %v", start/256, err)
			return
		}
		for i := int64(0); i < width && checked < *maxEntries; i++ {
			if len(data) < 2 {
				fail("entry bundle %d: truncated", start/256)
				return
			}
			length := int(binary.BigEndian.Uint16(data))
			if len(data) < 2+length {
				fail("entry bundle %d: truncated", start/256)
				return
			}
			leaf := tlog.RecordHash(data[2 : 2+length])
			data = data[2+length:]
			index := start + i
			stored, err := reader.ReadHashes([]int64{tlog.StoredHashIndex(0, index)})
			if err != nil || stored[0] != leaf {
				fail("entry %d: does not hash to its leaf (%v)", index, err)
				continue
			}
			proof, err := tlog.ProveRecord(tree.N, index, reader)
			if err != nil {
				fail("entry %d: inclusion proof from tiles: %v", index, err)
				continue
			}
			if err := tlog.CheckRecord(proof, tree.N, tree.Hash, index, leaf); err != nil {
				fail("entry %d: inclusion proof: %v", index, err)
			}
			checked++
		}
		if checked < *maxEntries && len(data) != 0 {
			fail("entry bundle %d: %d trailing bytes", start/256, len(data))
		}
	}

	roots := map[int64]tlog.Hash{tree.N: tree.Hash}
	consistency := 0
	if *oldFile != "" {
		oldMsg, err := os.ReadFile(*oldFile)
		if err != nil {
			fail("old checkpoint: %v", err)
			return
		}
		old, err := openCheckpoint(oldMsg, verifiers)
		if err != nil {
			fail("old %v", err)
			return
		}
		if old.origin != cp.origin {
			fail("old checkpoint of origin %q, want %q", old.origin, cp.origin)
			return
		}
		roots[old.tree.N] = old.tree.Hash
		proof, err := tlog.ProveTree(tree.N, old.tree.N, reader)
		if err != nil {
			fail("consistency proof from tiles: %v", err)
			return
		}
		if err := tlog.CheckTree(proof, tree.N, tree.Hash, old.tree.N, old.tree.Hash); err != nil {
			fail("consistency %d -> %d: %v", old.tree.N, tree.N, err)
		}
		consistency++
	}

	apiProofs := 0
	if *proofFile != "" {
		raw, err := os.ReadFile(*proofFile)
		var p proofs
		if err == nil {
			err = json.Unmarshal(raw, &p)
		}
		if err != nil {
			fail("proofs: %v", err)
			return
		}
		for _, inc := range p.Inclusion {
			root, ok := roots[inc.TreeSize]
			path, err := hashes(inc.AuditPath)
			leaf, err2 := hashes([]string{inc.LeafHash})
			if !ok || err != nil || err2 != nil {
				fail("API inclusion proof %d/%d: no signed root or malformed", inc.Index, inc.TreeSize)
				continue
			}
			if err := tlog.CheckRecord(path, inc.TreeSize, root, inc.Index, leaf[0]); err != nil {
				fail("API inclusion proof %d/%d: %v", inc.Index, inc.TreeSize, err)
				continue
			}
			apiProofs++
		}
		for _, c := range p.Consistency {
			first, ok1 := roots[c.First]
			second, ok2 := roots[c.Second]
			path, err := hashes(c.ConsistencyPath)
			if !ok1 || !ok2 || err != nil {
				fail("API consistency proof %d -> %d: no signed roots or malformed", c.First, c.Second)
				continue
			}
			if err := tlog.CheckTree(path, c.Second, second, c.First, first); err != nil {
				fail("API consistency proof %d -> %d: %v", c.First, c.Second, err)
				continue
			}
			apiProofs++
		}
	}
	if failures == 0 {
		fmt.Printf("OK %s size %d root %s: %d entries, %d consistency, %d API proofs verified\n",
			cp.origin, tree.N, tree.Hash, checked, consistency, apiProofs)
	}
}
