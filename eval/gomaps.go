package eval

import (
	"fmt"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// Go maps (Go 1.24 and later: internal/runtime/maps). A map value is a
// *maps.Map. With dirLen 0 its dirPtr is one group; otherwise dirPtr is
// a directory of dirLen *maps.table, where neighbouring entries may share
// a table, and each table has lengthMask+1 groups. A group is a control
// word (one byte per slot, high bit clear when the slot is full) then 8
// slots of {key, elem}; the compiler describes it in DWARF as
// noalg.map.group[K]V. Keys and elements above 128 bytes are stored as
// pointers to them.

const goMapGroupSlots = 8

// goMapLayout is where the parts of one map type's slots are.
type goMapLayout struct {
	groupSize, slotsOff, slotSize int64
	key, elem                     *symbols.Type
	keyOff, elemOff               int64
	keyInd, elemInd               bool
}

func (d *reader) goMapLayoutOf(m *module, mt *symbols.Type) (*goMapLayout, error) {
	if m == nil || m.sym == nil {
		return nil, fmt.Errorf("<no layout for %s>", mt.Name)
	}
	// The group type is named after the map type literal, which a named
	// map type (type M map[K]V) spells only through its key and element.
	kv := strings.TrimPrefix(mt.Name, "map")
	if !strings.HasPrefix(mt.Name, "map[") && mt.GoKey != nil && mt.GoElem != nil {
		kv = "[" + mt.GoKey.Name + "]" + mt.GoElem.Name
	}
	group, ok := m.sym.GoType("noalg.map.group" + kv)
	if !ok {
		return nil, fmt.Errorf("<no group type for %s in DWARF>", mt.Name)
	}
	gt := group.Resolve()
	slots := fieldType(gt, "slots").Resolve()
	if slots == nil || slots.Kind != symbols.KindArray || slots.Elem == nil {
		return nil, fmt.Errorf("<unexpected group type for %s>", mt.Name)
	}
	slot := slots.Elem.Resolve()
	l := &goMapLayout{groupSize: gt.Size, slotsOff: fieldOffset(gt, "slots", 8), slotSize: slot.Size,
		keyOff: fieldOffset(slot, "key", 0), elemOff: fieldOffset(slot, "elem", -1)}
	l.key, l.elem = fieldType(slot, "key"), fieldType(slot, "elem")
	if l.key == nil || l.elem == nil || l.elemOff < 0 || l.groupSize <= 0 || l.slotSize <= 0 {
		return nil, fmt.Errorf("<unexpected slot type for %s>", mt.Name)
	}
	// A slot holding *K where the map's key is K holds the key indirectly.
	indirect := func(field, want *symbols.Type) bool {
		return want != nil && field.Resolve().Kind == symbols.KindPointer && field.Name == "*"+want.Name
	}
	if indirect(l.key, mt.GoKey) {
		l.key, l.keyInd = mt.GoKey, true
	}
	if indirect(l.elem, mt.GoElem) {
		l.elem, l.elemInd = mt.GoElem, true
	}
	return l, nil
}

// goMapHeader reads the *maps.Map of map value o: its address (0 for a nil
// map), entry count, directory pointer and length.
func (d *reader) goMapHeader(o *Object, mt *symbols.Type) (addr, used, dirPtr uint64, dirLen int64, err error) {
	w, err := d.words(o, 1)
	if err != nil || w[0] == 0 {
		return 0, 0, 0, 0, err
	}
	addr = w[0]
	var mapT *symbols.Type
	if p := mt.Resolve(); p.Kind == symbols.KindPointer {
		mapT = p.Elem
	}
	if used, err = d.word(addr + uint64(fieldOffset(mapT, "used", 0))); err != nil {
		return
	}
	if dirPtr, err = d.word(addr + uint64(fieldOffset(mapT, "dirPtr", 16))); err != nil {
		return
	}
	n, err := d.word(addr + uint64(fieldOffset(mapT, "dirLen", 24)))
	return addr, used, dirPtr, int64(n), err
}

// goMapVar shows `map[string]int len: 3`; the entries are its indexed
// children, named by their keys.
func (d *reader) goMapVar(v *Var, o *Object, mt *symbols.Type) error {
	addr, used, _, _, err := d.goMapHeader(o, mt)
	if err != nil {
		return err
	}
	if addr == 0 {
		v.Value = o.Type.String() + " nil"
		return nil
	}
	v.Value = fmt.Sprintf("%s len: %d", o.Type.String(), used)
	if used > 0 {
		v.Expand, v.Indexed = o, int(min(used, 1<<31-1))
	}
	return nil
}

// goMapEach calls f with each entry of map o in storage order (stable
// while the program is stopped, so pages of entries line up) until f
// returns false.
func (d *reader) goMapEach(o *Object, mt *symbols.Type, f func(key, elem *Object) bool) error {
	addr, _, dirPtr, dirLen, err := d.goMapHeader(o, mt)
	if err != nil || addr == 0 || dirPtr == 0 {
		return err
	}
	l, err := d.goMapLayoutOf(o.mod, mt)
	if err != nil {
		return err
	}
	if dirLen == 0 {
		_, err := d.goMapGroups(o.mod, l, dirPtr, 1, f)
		return err
	}
	if dirLen < 0 || dirLen > 1<<24 {
		return fmt.Errorf("<bad map directory length %d>", dirLen)
	}
	var tableT *symbols.Type
	if o.mod != nil && o.mod.sym != nil {
		tableT, _ = o.mod.sym.GoType("internal/runtime/maps.table")
	}
	groupsOff := uint64(fieldOffset(tableT, "groups", 16))
	seen := make(map[uint64]bool)
	for i := int64(0); i < dirLen; i++ {
		table, err := d.word(dirPtr + uint64(8*i))
		if err != nil {
			return err
		}
		if table == 0 || seen[table] {
			continue
		}
		seen[table] = true
		data, err := d.word(table + groupsOff)
		if err != nil {
			return err
		}
		mask, err := d.word(table + groupsOff + 8)
		if err != nil {
			return err
		}
		if mask >= 1<<24 {
			return fmt.Errorf("<bad map table at %#x>", table)
		}
		if more, err := d.goMapGroups(o.mod, l, data, mask+1, f); !more || err != nil {
			return err
		}
	}
	return nil
}

// goMapGroups calls f on the full slots of n groups from addr; more is
// false once f has asked to stop.
func (d *reader) goMapGroups(m *module, l *goMapLayout, addr, n uint64, f func(key, elem *Object) bool) (more bool, err error) {
	for g := uint64(0); g < n; g++ {
		group := addr + g*uint64(l.groupSize)
		ctrl, err := d.word(group)
		if err != nil {
			return false, err
		}
		for s := uint64(0); s < goMapGroupSlots; s++ {
			if ctrl>>(8*s)&0x80 != 0 { // empty or deleted
				continue
			}
			slot := group + uint64(l.slotsOff) + s*uint64(l.slotSize)
			key, err := d.goMapPart(m, l.key, slot+uint64(l.keyOff), l.keyInd)
			if err != nil {
				return false, err
			}
			elem, err := d.goMapPart(m, l.elem, slot+uint64(l.elemOff), l.elemInd)
			if err != nil {
				return false, err
			}
			if !f(key, elem) {
				return false, nil
			}
		}
	}
	return true, nil
}

func (d *reader) goMapPart(m *module, t *symbols.Type, addr uint64, indirect bool) (*Object, error) {
	if indirect {
		p, err := d.word(addr)
		if err != nil {
			return nil, err
		}
		addr = p
	}
	return &Object{Type: t, Addr: addr, InMem: true, mod: m}, nil
}
