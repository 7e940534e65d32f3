package eval

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// Object is a value the client can expand: its type and where it is. It is
// valid until the process runs again.
type Object struct {
	Type  *symbols.Type
	Addr  uint64 // when InMem
	InMem bool
	Bytes []byte // the value itself when not in memory (registers, constants)
	mod   *module
}

// Var is one variable (or member, element, pointee) as the client shows it.
type Var struct {
	Name  string
	Type  string
	Value string
	// Addr is its address, when it lives in memory (HasAddr); for a
	// pointer, the address it holds (not NULL), for a Go string or slice,
	// its data's.
	Addr    uint64
	HasAddr bool
	// Expand, when not nil, has children: Named members or Indexed
	// elements.
	Expand  *Object
	Indexed int
	Named   int
}

// Scope names for FrameVars.
const (
	ScopeLocals    = "locals"
	ScopeArguments = "arguments"
	ScopeGlobals   = "globals"
)

// maxString bounds how much of a char * or char array the summary shows;
// the full contents stay reachable through the elements and readMemory.
const maxString = 1024

// FrameVars returns the variables of one scope of frame f.
func FrameVars(f Frame, scope string) ([]Var, error) {
	fr := newFrameCtx(f)
	if fr.mod == nil || !fr.mod.sym.HasDWARF() {
		return nil, nil
	}
	var vars []symbols.Variable
	var frameBase []byte
	var err error
	if scope == ScopeGlobals {
		vars, err = fr.mod.sym.GlobalsAt(fr.look - fr.mod.bias)
	} else {
		vars, frameBase, err = f.Locals()
	}
	if err != nil {
		return nil, err
	}
	ctx := f.Location(frameBase)
	var out []Var
	for _, v := range vars {
		if (scope == ScopeArguments) != v.Param && scope != ScopeGlobals {
			continue
		}
		out = append(out, fr.d.variable(fr.mod, v, ctx))
	}
	return out, nil
}

// variable locates v and presents it.
func (d *reader) variable(m *module, v symbols.Variable, ctx symbols.LocContext) Var {
	if v.Type == nil {
		return Var{Name: v.Name, Value: "<unknown type>"}
	}
	o, err := d.object(m, v, ctx)
	if err != nil {
		return Var{Name: v.Name, Type: v.Type.String(), Value: err.Error()}
	}
	return d.present(v.Name, o)
}

// objectOf locates variable v of frame fr.
func (d *reader) objectOf(fr *frameCtx, v symbols.Variable, frameBase []byte) (*Object, error) {
	if v.Type == nil {
		return nil, fmt.Errorf("%s has no type information", v.Name)
	}
	return d.object(fr.mod, v, fr.Location(frameBase))
}

// valueError is a variable that has no value to show; its text is what
// the client shows instead ("<optimized out>").
type valueError string

func (e valueError) Error() string { return string(e) }

// object locates v: in memory, or assembled from registers, pieces and
// constants.
func (d *reader) object(m *module, v symbols.Variable, ctx symbols.LocContext) (*Object, error) {
	size := v.Type.Resolve().Size
	if v.Loc == nil && v.Const != nil {
		return &Object{Type: v.Type, Bytes: v.Const, mod: m}, nil
	}
	if v.Loc == nil {
		return nil, valueError("<optimized out>")
	}
	pieces, err := symbols.EvalLocation(v.Loc, ctx, size)
	if errors.Is(err, symbols.ErrOptimizedOut) || errors.Is(err, symbols.ErrNoEntryValue) {
		return nil, valueError("<optimized out>")
	}
	if err != nil {
		return nil, valueError("<unavailable: " + err.Error() + ">")
	}
	if len(pieces) == 1 && !pieces[0].InReg && !pieces[0].IsValue && !pieces[0].Missing {
		return &Object{Type: v.Type, Addr: pieces[0].Addr, InMem: true, mod: m}, nil
	}
	buf := make([]byte, 0, max(size, 8))
	for _, pc := range pieces {
		n := int(pc.Size)
		if n == 0 {
			n = int(size) - len(buf)
		}
		switch {
		case pc.Missing:
			return nil, valueError("<optimized out>")
		case pc.IsValue:
			b := make([]byte, max(n, 0))
			copy(b, pc.Value)
			buf = append(buf, b...)
		case pc.InReg:
			val, ok := ctx.Regs(pc.Reg)
			if !ok {
				return nil, valueError("<optimized out>")
			}
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], val)
			buf = append(buf, b[:min(max(n, 0), 8)]...)
		default:
			b := make([]byte, max(n, 0))
			if _, err := d.ReadAt(b, pc.Addr); err != nil {
				return nil, valueError(fmt.Sprintf("<unreadable at %#x>", pc.Addr))
			}
			buf = append(buf, b...)
		}
	}
	return &Object{Type: v.Type, Bytes: buf, mod: m}, nil
}

// field finds member name of struct or union o (of resolved type t),
// looking into anonymous members too.
func (d *reader) field(o *Object, t *symbols.Type, name string) *Object {
	for _, f := range t.Fields {
		if f.Name == name && f.BitSize == 0 {
			return d.sub(o, f.Type, f.Offset)
		}
		if f.Name == "" {
			ft := f.Type.Resolve()
			if ft.Kind == symbols.KindStruct || ft.Kind == symbols.KindUnion {
				if r := d.field(d.sub(o, f.Type, f.Offset), ft, name); r != nil {
					return r
				}
			}
		}
	}
	return nil
}

// bytesOf reads an object's bytes (at most n).
func (d *reader) bytesOf(o *Object, n int64) ([]byte, error) {
	if !o.InMem {
		if int64(len(o.Bytes)) < n {
			b := make([]byte, n)
			copy(b, o.Bytes)
			return b, nil
		}
		return o.Bytes[:n], nil
	}
	b := make([]byte, n)
	if _, err := d.ReadAt(b, o.Addr); err != nil {
		return nil, fmt.Errorf("<unreadable at %#x>", o.Addr)
	}
	return b, nil
}

// present formats an object for the client.
func (d *reader) present(name string, o *Object) Var {
	if v, ok := d.presentGo(name, o, 0); ok {
		return v
	}
	t := o.Type.Resolve()
	v := Var{Name: name, Type: o.Type.String(), Addr: o.Addr, HasAddr: o.InMem}
	switch t.Kind {
	case symbols.KindStruct, symbols.KindUnion:
		v.Expand, v.Named = o, len(t.Fields)
		v.Value = d.summary(o, t)
		return v
	case symbols.KindArray:
		if t.Count > 0 {
			v.Expand, v.Indexed = o, int(t.Count)
		}
		v.Value = d.arraySummary(o, t)
		return v
	}
	b, err := d.bytesOf(o, max(t.Size, 0))
	if err != nil {
		v.Value = err.Error()
		return v
	}
	v.Value = d.scalar(t, b)
	if t.Kind == symbols.KindPointer {
		// A pointer's memory is what it points to, as DAP asks and as
		// lldb-dap and cpptools do: VS Code's binary view opened from it
		// shows the pointee. NULL has none.
		addr := binary.LittleEndian.Uint64(pad8(b))
		v.Addr, v.HasAddr = addr, addr != 0
	}
	if t.Kind == symbols.KindPointer && t.Elem != nil {
		elem := t.Elem.Resolve()
		addr := v.Addr
		if addr != 0 && elem.Kind != symbols.KindVoid && elem.Kind != symbols.KindFunc && elem.Size > 0 {
			v.Expand, v.Named = o, 1
		}
	}
	return v
}

// Children returns the members, elements or pointee of o, read from p:
// elements [start, start+count) for arrays (count 0: all).
func Children(p Program, o *Object, start, count int) ([]Var, error) {
	d := &reader{p}
	var out []Var
	err := func() error {
		if vs, ok, err := d.goChildren(o, start, count); ok {
			out = vs
			return err
		}
		t := o.Type.Resolve()
		switch t.Kind {
		case symbols.KindStruct, symbols.KindUnion:
			for _, f := range t.Fields {
				out = append(out, d.member(o, f))
			}
		case symbols.KindArray:
			n := int(t.Count)
			start = min(max(start, 0), n)
			end := n
			if count > 0 {
				end = min(n, start+count)
			}
			es := t.Elem.Resolve().Size
			for i := start; i < end; i++ {
				out = append(out, d.present(fmt.Sprintf("[%d]", i), d.sub(o, t.Elem, int64(i)*es)))
			}
		case symbols.KindPointer:
			b, err := d.bytesOf(o, 8)
			if err != nil {
				return err
			}
			target := &Object{Type: t.Elem, Addr: binary.LittleEndian.Uint64(b), InMem: true, mod: o.mod}
			if e := t.Elem.Resolve(); e.Kind == symbols.KindStruct || e.Kind == symbols.KindUnion {
				for _, f := range e.Fields { // a pointer to a struct opens onto its members
					out = append(out, d.member(target, f))
				}
				return nil
			}
			out = append(out, d.present("*", target))
		}
		return nil
	}()
	return out, err
}

// sub is the part of o at offset off with type t.
func (d *reader) sub(o *Object, t *symbols.Type, off int64) *Object {
	if o.InMem {
		return &Object{Type: t, Addr: o.Addr + uint64(off), InMem: true, mod: o.mod}
	}
	size := t.Resolve().Size
	var b []byte
	if off >= 0 && off+size <= int64(len(o.Bytes)) {
		b = o.Bytes[off : off+size]
	}
	return &Object{Type: t, Bytes: b, mod: o.mod}
}

// member presents one struct or union member, bitfields included.
func (d *reader) member(o *Object, f symbols.Field) Var {
	name := f.Name
	if name == "" {
		name = "<anonymous>"
	}
	if f.BitSize == 0 {
		return d.present(name, d.sub(o, f.Type, f.Offset))
	}
	t := f.Type.Resolve()
	nbytes := (f.BitOffset + f.BitSize + 7) / 8
	b, err := d.bytesOf(d.sub(o, &symbols.Type{Kind: symbols.KindUint, Size: nbytes}, f.Offset), nbytes)
	v := Var{Name: name, Type: f.Type.String() + ":" + strconv.FormatInt(f.BitSize, 10)}
	if err != nil {
		v.Value = err.Error()
		return v
	}
	raw := binary.LittleEndian.Uint64(pad8(b)) >> uint(f.BitOffset) & (1<<uint(f.BitSize) - 1)
	if t.Signed || t.Kind == symbols.KindInt {
		shift := 64 - uint(f.BitSize)
		v.Value = strconv.FormatInt(int64(raw<<shift)>>shift, 10)
	} else {
		v.Value = d.scalar(t, pad8le(raw, t.Size))
	}
	return v
}

func pad8(b []byte) []byte {
	if len(b) >= 8 {
		return b[:8]
	}
	var p [8]byte
	copy(p[:], b)
	return p[:]
}

func pad8le(v uint64, size int64) []byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return b[:max(min(size, 8), 1)]
}

// scalar formats a base, enum or pointer value from its bytes.
func (d *reader) scalar(t *symbols.Type, b []byte) string {
	u := binary.LittleEndian.Uint64(pad8(b))
	signed := func() int64 {
		shift := 64 - 8*uint(min(len(b), 8))
		return int64(u<<shift) >> shift
	}
	switch t.Kind {
	case symbols.KindBool:
		if u != 0 {
			return "true"
		}
		return "false"
	case symbols.KindChar:
		c := u & 0xff
		n := strconv.FormatUint(c, 10)
		if t.Signed {
			n = strconv.FormatInt(int64(int8(c)), 10)
		}
		return n + " " + quoteChar(byte(c))
	case symbols.KindInt:
		return strconv.FormatInt(signed(), 10)
	case symbols.KindUint:
		return strconv.FormatUint(u, 10)
	case symbols.KindFloat:
		switch len(b) {
		case 4:
			return strconv.FormatFloat(float64(math.Float32frombits(uint32(u))), 'g', -1, 32)
		case 8:
			return strconv.FormatFloat(math.Float64frombits(u), 'g', -1, 64)
		}
		return "<long double>"
	case symbols.KindEnum:
		v := signed()
		for _, e := range t.Enumerators {
			if e.Value == v {
				return e.Name
			}
		}
		return strconv.FormatInt(v, 10)
	case symbols.KindPointer:
		if u == 0 {
			return "NULL"
		}
		s := fmt.Sprintf("0x%x", u)
		if t.Elem != nil {
			switch e := t.Elem.Resolve(); e.Kind {
			case symbols.KindChar:
				if str, ok := d.cString(u); ok {
					s += " " + str
				}
			case symbols.KindFunc:
				if name, base := d.SymbolAt(u); name != "" && base == u {
					s += " <" + name + ">"
				}
			}
		}
		return s
	case symbols.KindFunc:
		return "<function>"
	}
	return fmt.Sprintf("0x%x", u)
}

// quoteChar shows a char as C would write it.
func quoteChar(c byte) string {
	switch {
	case c == '\'':
		return `'\''`
	case c >= 0x20 && c < 0x7f:
		return "'" + string(c) + "'"
	case c == 0:
		return `'\0'`
	case c == '\n':
		return `'\n'`
	case c == '\t':
		return `'\t'`
	}
	return fmt.Sprintf(`'\x%02x'`, c)
}

// cString reads a NUL-terminated string for a char * summary.
func (d *reader) cString(addr uint64) (string, bool) {
	var b [maxString]byte
	n, _ := d.ReadAt(b[:], addr)
	if n == 0 {
		return fmt.Sprintf("<unreadable at %#x>", addr), true
	}
	s := b[:n]
	if i := strings.IndexByte(string(s), 0); i >= 0 {
		return strconv.Quote(string(s[:i])), true
	}
	return strconv.Quote(string(s)) + "...", true
}

// summary is the one-line value of a struct or union: {a=1, b=2}.
func (d *reader) summary(o *Object, t *symbols.Type) string {
	var parts []string
	for i, f := range t.Fields {
		if i == 4 {
			parts = append(parts, "...")
			break
		}
		m := d.member(o, f)
		val := m.Value
		if len(val) > 40 {
			val = val[:37] + "..."
		}
		parts = append(parts, m.Name+"="+val)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// arraySummary is the one-line value of an array: its first elements, or
// a char array as a string.
func (d *reader) arraySummary(o *Object, t *symbols.Type) string {
	if t.Count < 0 {
		return "[]"
	}
	elem := t.Elem.Resolve()
	if elem.Kind == symbols.KindChar && elem.Size == 1 {
		b, err := d.bytesOf(o, min(t.Count, maxString))
		if err != nil {
			return err.Error()
		}
		if i := strings.IndexByte(string(b), 0); i >= 0 {
			b = b[:i]
		} else if t.Count > maxString {
			return strconv.Quote(string(b)) + "..."
		}
		return strconv.Quote(string(b))
	}
	var parts []string
	for i := int64(0); i < t.Count && i < 8; i++ {
		parts = append(parts, d.present("", d.sub(o, t.Elem, i*elem.Size)).Value)
	}
	if t.Count > 8 {
		parts = append(parts, "...")
	}
	return fmt.Sprintf("[%d] {%s}", t.Count, strings.Join(parts, ", "))
}

// ChildPath is the expression that names child name (as Children names
// it) of object o, which expression path names.
func ChildPath(path string, o *Object, name string) string {
	if strings.HasPrefix(name, "[") { // an element ([2]) or a Go map entry (["a"])
		return path + name
	}
	switch o.Type.Resolve().Kind {
	case symbols.KindArray:
		return path + name // name is "[i]"
	case symbols.KindPointer:
		if name == "*" {
			return "*(" + path + ")"
		}
		return path + "->" + name
	}
	return path + "." + name
}
