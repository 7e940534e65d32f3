package symbols

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"os"
	"path/filepath"
)

// DebugRoot is where distributions install separate debug files
// (Debian's *-dbg and -dbgsym packages).
var DebugRoot = "/usr/lib/debug"

// findDebugFile looks for the separate debug file of an executable that
// has none of its own: by build id (DebugRoot/.build-id/xx/rest.debug),
// then by .gnu_debuglink (next to the file, in its .debug directory, and
// under DebugRoot), checking the link's CRC. The file found is opened; the
// caller closes it.
func findDebugFile(ef *elf.File, path string) (*elf.File, *os.File) {
	var candidates []string
	if id := buildID(ef); len(id) >= 2 {
		h := hex.EncodeToString(id)
		candidates = append(candidates, filepath.Join(DebugRoot, ".build-id", h[:2], h[2:]+".debug"))
	}
	name, crc, hasLink := debugLink(ef)
	if hasLink && path != "" {
		dir := filepath.Dir(path)
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		candidates = append(candidates,
			filepath.Join(dir, name),
			filepath.Join(dir, ".debug", name),
			filepath.Join(DebugRoot, dir, name))
	}
	for i, c := range candidates {
		osf, err := os.Open(c)
		if err != nil {
			continue
		}
		if hasLink && i >= len(candidates)-3 && !crcMatches(osf, crc) {
			osf.Close()
			continue
		}
		dbg, err := elf.NewFile(osf)
		if err != nil || !hasSection(dbg, "info") || !hasSection(dbg, "line") {
			osf.Close()
			continue
		}
		return dbg, osf
	}
	return nil, nil
}

// buildID returns the GNU build id note's bytes, nil if there is none.
func buildID(ef *elf.File) []byte {
	s := ef.Section(".note.gnu.build-id")
	if s == nil {
		return nil
	}
	b, err := s.Data()
	if err != nil || len(b) < 16 {
		return nil
	}
	namesz := binary.LittleEndian.Uint32(b[0:])
	descsz := binary.LittleEndian.Uint32(b[4:])
	typ := binary.LittleEndian.Uint32(b[8:])
	off := 12 + (namesz+3)&^3
	if typ != 3 /* NT_GNU_BUILD_ID */ || uint64(off)+uint64(descsz) > uint64(len(b)) {
		return nil
	}
	return b[off : off+descsz]
}

// debugLink reads .gnu_debuglink: a file name and the file's CRC-32.
func debugLink(ef *elf.File) (name string, crc uint32, ok bool) {
	s := ef.Section(".gnu_debuglink")
	if s == nil {
		return "", 0, false
	}
	b, err := s.Data()
	if err != nil {
		return "", 0, false
	}
	i := bytes.IndexByte(b, 0)
	if i <= 0 {
		return "", 0, false
	}
	off := (i + 4) &^ 3
	if off+4 > len(b) {
		return "", 0, false
	}
	return string(b[:i]), binary.LittleEndian.Uint32(b[off:]), true
}

func crcMatches(f *os.File, want uint32) bool {
	h := crc32.NewIEEE()
	buf := make([]byte, 1<<16)
	for off := int64(0); ; {
		n, err := f.ReadAt(buf, off)
		h.Write(buf[:n])
		off += int64(n)
		if err != nil {
			break
		}
	}
	return h.Sum32() == want
}
