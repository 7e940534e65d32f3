package eval

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// Go values as a Go programmer reads them. Go's DWARF describes strings,
// slices, maps, channels and interfaces as the runtime's structs (or
// pointers to them); the Go kind (symbols.Type.GoKind) says which, and
// this file reads the runtime structures behind them: Go 1.26's
// internal/runtime/maps Swiss tables, runtime.hchan, runtime.eface and
// runtime.iface with their internal/abi.Type descriptors.

// goDepth bounds how deep a summary describes nested values: past it a
// composite value is "{...}" (the client expands it to see more).
const goDepth = 3

// goKindOf follows typedefs to the first type that has a Go kind, and
// returns that kind and type (which carries the map key and element).
func goKindOf(t *symbols.Type) (symbols.GoKind, *symbols.Type) {
	for i := 0; t != nil && i < 64; i++ {
		if t.GoKind != symbols.GoNone {
			return t.GoKind, t
		}
		if t.Kind != symbols.KindTypedef {
			break
		}
		t = t.Elem
	}
	return symbols.GoNone, nil
}

// presentGo presents o if it is a Go value that reads differently from
// its C shape; ok is false for the others (numbers, bools, unsafe
// pointers), which the C presentation already shows as Go would.
func (d *reader) presentGo(name string, o *Object, depth int) (v Var, ok bool) {
	kind, gt := goKindOf(o.Type)
	switch kind {
	case symbols.GoString, symbols.GoSlice, symbols.GoMap, symbols.GoChan, symbols.GoInterface,
		symbols.GoStruct, symbols.GoPointer, symbols.GoArray:
	default:
		return Var{}, false
	}
	v = Var{Name: name, Type: o.Type.String(), Addr: o.Addr, HasAddr: o.InMem}
	var err error
	switch kind {
	case symbols.GoString:
		err = d.goString(&v, o, depth)
	case symbols.GoSlice:
		err = d.goSlice(&v, o, gt, depth)
	case symbols.GoMap:
		err = d.goMapVar(&v, o, gt)
	case symbols.GoChan:
		err = d.goChan(&v, o, gt)
	case symbols.GoInterface:
		err = d.goInterface(&v, o, depth)
	case symbols.GoStruct:
		t := o.Type.Resolve()
		if t.Kind != symbols.KindStruct {
			return Var{}, false
		}
		v.Expand, v.Named = o, len(t.Fields)
		v.Value = d.goStructSummary(o, t, depth)
	case symbols.GoPointer:
		err = d.goPointer(&v, o, depth)
	case symbols.GoArray:
		t := o.Type.Resolve()
		if t.Kind != symbols.KindArray {
			return Var{}, false
		}
		if t.Count > 0 {
			v.Expand, v.Indexed = o, int(t.Count)
		}
		v.Value = o.Type.String() + " " + d.goElems(o, t.Elem, t.Count, depth)
	}
	if err != nil {
		v.Value, v.Expand, v.Named, v.Indexed = err.Error(), nil, 0, 0
	}
	return v, true
}

// goSub presents a part of a Go value at the given summary depth.
func (d *reader) goSub(name string, o *Object, depth int) Var {
	if v, ok := d.presentGo(name, o, depth); ok {
		return v
	}
	return d.present(name, o)
}

// words reads the first n machine words of o.
func (d *reader) words(o *Object, n int) ([]uint64, error) {
	b, err := d.bytesOf(o, int64(8*n))
	if err != nil {
		return nil, err
	}
	w := make([]uint64, n)
	for i := range w {
		w[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return w, nil
}

// word reads the machine word at addr.
func (d *reader) word(addr uint64) (uint64, error) {
	var b [8]byte
	if _, err := d.ReadAt(b[:], addr); err != nil {
		return 0, fmt.Errorf("<unreadable at %#x>", addr)
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

// fieldOffset is the offset of member name of struct t, or def when DWARF
// does not say (the runtime's layouts change rarely, and an absent member
// should not make every map unreadable).
func fieldOffset(t *symbols.Type, name string, def int64) int64 {
	if t = t.Resolve(); t != nil {
		for _, f := range t.Fields {
			if f.Name == name {
				return f.Offset
			}
		}
	}
	return def
}

func fieldType(t *symbols.Type, name string) *symbols.Type {
	if t = t.Resolve(); t != nil {
		for _, f := range t.Fields {
			if f.Name == name {
				return f.Type
			}
		}
	}
	return nil
}

// goString shows a string quoted, the first maxString bytes of it (fewer
// inside a summary); its memoryReference is its data, so a long string
// stays readable to its end.
func (d *reader) goString(v *Var, o *Object, depth int) error {
	w, err := d.words(o, 2)
	if err != nil {
		return err
	}
	ptr, n := w[0], int64(w[1])
	v.Addr, v.HasAddr = ptr, ptr != 0
	s, err := d.goStringData(ptr, n, depth)
	v.Value = s
	return err
}

func (d *reader) goStringData(ptr uint64, n int64, depth int) (string, error) {
	if n < 0 {
		return "", fmt.Errorf("<bad string length %d>", n)
	}
	limit := int64(maxString)
	if depth > 0 {
		limit = 64
	}
	b := make([]byte, min(n, limit))
	if len(b) > 0 {
		if _, err := d.ReadAt(b, ptr); err != nil {
			return "", fmt.Errorf("<unreadable at %#x>", ptr)
		}
	}
	if n > limit {
		return strconv.Quote(string(b)) + "...", nil
	}
	return strconv.Quote(string(b)), nil
}

// sliceHeader reads a slice's data pointer, length and capacity.
func (d *reader) sliceHeader(o *Object) (ptr uint64, n, c int64, err error) {
	t := o.Type.Resolve()
	b, err := d.bytesOf(o, 24)
	if err != nil {
		return 0, 0, 0, err
	}
	at := func(name string, def int64) uint64 {
		off := fieldOffset(t, name, def)
		if off < 0 || off+8 > int64(len(b)) {
			return 0
		}
		return binary.LittleEndian.Uint64(b[off:])
	}
	return at("array", 0), int64(at("len", 8)), int64(at("cap", 16)), nil
}

// sliceElem is a slice type's element type.
func sliceElem(gt *symbols.Type) *symbols.Type {
	if gt.GoElem != nil {
		return gt.GoElem
	}
	if p := fieldType(gt, "array"); p != nil && p.Resolve().Kind == symbols.KindPointer {
		return p.Resolve().Elem
	}
	return nil
}

// goSlice shows `[]int len: 5, cap: 8, [1,2,3,4,5]`; the elements are its
// indexed children and its memoryReference is its data.
func (d *reader) goSlice(v *Var, o *Object, gt *symbols.Type, depth int) error {
	ptr, n, c, err := d.sliceHeader(o)
	if err != nil {
		return err
	}
	prefix := fmt.Sprintf("%s len: %d, cap: %d", o.Type.String(), n, c)
	if ptr == 0 && n == 0 {
		v.Value = prefix + ", nil"
		return nil
	}
	elem := sliceElem(gt)
	if elem == nil || n < 0 || n > c {
		v.Value = prefix + ", <unreadable>"
		return nil
	}
	v.Addr, v.HasAddr = ptr, ptr != 0
	if n > 0 {
		v.Expand, v.Indexed = o, int(n)
	}
	data := &Object{Type: elem, Addr: ptr, InMem: true, mod: o.mod}
	v.Value = prefix + ", " + d.goElems(data, elem, n, depth)
	return nil
}

// goElems summarises n elements of type elem laid out from o's address:
// "[1,2,3,...]".
func (d *reader) goElems(o *Object, elem *symbols.Type, n int64, depth int) string {
	if depth >= goDepth {
		return "[...]"
	}
	show := int64(8)
	if depth > 0 {
		show = 3
	}
	size := elem.Resolve().Size
	var parts []string
	for i := int64(0); i < n && i < show; i++ {
		parts = append(parts, d.goSub("", d.sub(o, elem, i*size), depth+1).Value)
	}
	if n > show {
		parts = append(parts, "...")
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// goStructSummary is `main.Point {X: 3, Y: 4}` (without the type name
// inside another value's summary).
func (d *reader) goStructSummary(o *Object, t *symbols.Type, depth int) string {
	prefix := ""
	if depth == 0 {
		prefix = o.Type.String() + " "
	}
	if depth >= goDepth {
		return prefix + "{...}"
	}
	var parts []string
	for i, f := range t.Fields {
		if i == 8 {
			parts = append(parts, "...")
			break
		}
		m := d.goSub(f.Name, d.sub(o, f.Type, f.Offset), depth+1)
		parts = append(parts, f.Name+": "+m.Value)
	}
	return prefix + "{" + strings.Join(parts, ", ") + "}"
}

// goPointer shows nil, or the pointee after a star as Delve does
// (`*{X: 1, Y: 2}`, `*42`); it expands like a C pointer.
func (d *reader) goPointer(v *Var, o *Object, depth int) error {
	w, err := d.words(o, 1)
	if err != nil {
		return err
	}
	t := o.Type.Resolve()
	if w[0] == 0 {
		v.Value, v.HasAddr = "nil", false
		return nil
	}
	v.Addr, v.HasAddr = w[0], true // the pointee's memory, as for C
	elem := t.Elem
	if elem == nil || elem.Resolve().Kind == symbols.KindVoid || elem.Resolve().Size <= 0 {
		v.Value = fmt.Sprintf("%#x", w[0])
		return nil
	}
	pointee := &Object{Type: elem, Addr: w[0], InMem: true, mod: o.mod}
	v.Expand, v.Named = o, 1
	if depth >= goDepth {
		v.Value = fmt.Sprintf("(%s)(%#x)", o.Type.String(), w[0])
		return nil
	}
	v.Value = "*" + d.goSub("", pointee, depth+1).Value
	return nil
}

// goChan shows `chan int len: 2, cap: 5` from the channel's runtime.hchan,
// which it expands to.
func (d *reader) goChan(v *Var, o *Object, gt *symbols.Type) error {
	w, err := d.words(o, 1)
	if err != nil {
		return err
	}
	if w[0] == 0 {
		v.Value = o.Type.String() + " nil"
		return nil
	}
	hchan := gt.Resolve()
	if hchan.Kind == symbols.KindPointer {
		hchan = hchan.Elem
	}
	h := &Object{Type: hchan, Addr: w[0], InMem: true, mod: o.mod}
	q, err := d.words(d.sub(h, &symbols.Type{Kind: symbols.KindUint, Size: 8}, fieldOffset(hchan, "qcount", 0)), 1)
	if err != nil {
		return err
	}
	sz, err := d.words(d.sub(h, &symbols.Type{Kind: symbols.KindUint, Size: 8}, fieldOffset(hchan, "dataqsiz", 8)), 1)
	if err != nil {
		return err
	}
	v.Value = fmt.Sprintf("%s len: %d, cap: %d", o.Type.String(), q[0], sz[0])
	if ht := hchan.Resolve(); ht.Kind == symbols.KindStruct {
		v.Expand, v.Named = h, len(ht.Fields)
	}
	return nil
}

// goInterface shows the dynamic type and value: `error(*errors.errorString)
// *{s: "boom"}`, `interface {}(int) 42`, `error nil`; it expands as its
// dynamic value does.
func (d *reader) goInterface(v *Var, o *Object, depth int) error {
	dyn, typeName, err := d.goDynamic(o)
	if err != nil {
		return err
	}
	if dyn == nil && typeName == "" {
		v.Value = o.Type.String() + " nil"
		return nil
	}
	prefix := o.Type.String() + "(" + typeName + ")"
	if dyn == nil {
		w, _ := d.words(o, 2)
		if len(w) == 2 {
			v.Value = fmt.Sprintf("%s %#x", prefix, w[1])
		}
		return nil
	}
	inner := d.goSub(v.Name, dyn, depth)
	v.Value = prefix + " " + strings.TrimPrefix(inner.Value, typeName+" ") // named once
	v.Expand, v.Named, v.Indexed = inner.Expand, inner.Named, inner.Indexed
	if inner.HasAddr {
		v.Addr, v.HasAddr = inner.Addr, true
	}
	return nil
}

// goDynamic finds an interface value's dynamic type and value. The type
// word (an eface's _type, an iface's itab.Type) points at a runtime type
// descriptor; its offset from the module's runtime.types is what Go's
// DWARF records for each type (DW_AT_go_runtime_type). A nil interface
// gives (nil, "", nil); a type without DWARF, its runtime name.
func (d *reader) goDynamic(o *Object) (*Object, string, error) {
	t := o.Type.Resolve()
	w, err := d.words(o, 2)
	if err != nil {
		return nil, "", err
	}
	rtype := w[0]
	if rtype == 0 {
		return nil, "", nil
	}
	if tab := fieldType(t, "tab"); tab != nil { // an iface: the type is in the itab
		itab := tab.Resolve()
		if itab.Kind == symbols.KindPointer {
			itab = itab.Elem
		}
		if rtype, err = d.word(rtype + uint64(fieldOffset(itab, "Type", 8))); err != nil {
			return nil, "", err
		}
		if rtype == 0 {
			return nil, "", nil
		}
	}
	m := o.mod
	if m == nil || m.sym == nil {
		return nil, "?", nil
	}
	types, ok := m.sym.LookupSymbol("runtime.types")
	if !ok || rtype < types+m.bias {
		return nil, "?", nil
	}
	types += m.bias
	dyn, found := m.sym.GoRuntimeType(rtype - types)
	if !found {
		return nil, d.goRuntimeTypeName(types, rtype), nil
	}
	// Descriptor fields (internal/abi.Type): TFlag at 20 and Kind_ at 23;
	// a pointer-shaped value is the data word itself. Go 1.26 marks it
	// with TFlagDirectIface (1<<5), earlier releases with the same bit of
	// Kind_.
	var desc [24]byte
	if _, err := d.ReadAt(desc[:], rtype); err != nil {
		return nil, "", fmt.Errorf("<unreadable type descriptor at %#x>", rtype)
	}
	if desc[20]&(1<<5) != 0 || desc[23]&(1<<5) != 0 {
		return d.sub(o, dyn, 8), dyn.String(), nil
	}
	if w[1] == 0 {
		return nil, dyn.String(), nil
	}
	return &Object{Type: dyn, Addr: w[1], InMem: true, mod: m}, dyn.String(), nil
}

// goRuntimeTypeName reads a type's name from its descriptor: Str, a name
// offset from runtime.types to a flag byte, a varint length and the bytes.
func (d *reader) goRuntimeTypeName(types, rtype uint64) string {
	var off [4]byte
	var tflag [1]byte
	if _, err := d.ReadAt(off[:], rtype+40); err != nil {
		return "?"
	}
	if _, err := d.ReadAt(tflag[:], rtype+20); err != nil {
		return "?"
	}
	var b [2 + binary.MaxVarintLen32 + 256]byte
	n, _ := d.ReadAt(b[:], types+uint64(int32(binary.LittleEndian.Uint32(off[:]))))
	if n < 2 {
		return "?"
	}
	l, k := binary.Uvarint(b[1:n])
	if k <= 0 || 1+k+int(l) > n {
		return "?"
	}
	name := string(b[1+k : 1+k+int(l)])
	if tflag[0]&(1<<1) != 0 { // TFlagExtraStar: the name is stored with a '*'
		name = strings.TrimPrefix(name, "*")
	}
	return name
}

// goChildren returns the children of Go slices and maps; ok is false for
// other objects, which Children expands as C does.
func (d *reader) goChildren(o *Object, start, count int) (out []Var, ok bool, err error) {
	kind, gt := goKindOf(o.Type)
	switch kind {
	case symbols.GoSlice:
		ptr, n, _, err := d.sliceHeader(o)
		if err != nil {
			return nil, true, err
		}
		elem := sliceElem(gt)
		if elem == nil {
			return nil, true, errors.New("slice without an element type")
		}
		start = int(min(max(int64(start), 0), n))
		end := n
		if count > 0 {
			end = min(n, int64(start+count))
		}
		size := elem.Resolve().Size
		for i := int64(start); i < end; i++ {
			el := &Object{Type: elem, Addr: ptr + uint64(i*size), InMem: true, mod: o.mod}
			out = append(out, d.goSub(fmt.Sprintf("[%d]", i), el, 0))
		}
		return out, true, nil
	case symbols.GoMap:
		i := 0
		err := d.goMapEach(o, gt, func(key, elem *Object) bool {
			if i >= start && (count <= 0 || i < start+count) {
				out = append(out, d.goSub(goKeyName(d.goSub("", key, 1).Value), elem, 0))
			}
			i++
			return count <= 0 || i < start+count
		})
		return out, true, err
	}
	return nil, false, nil
}

// goKeyName names a map entry by its key, as it is indexed: ["a"], [42].
func goKeyName(key string) string { return "[" + key + "]" }
