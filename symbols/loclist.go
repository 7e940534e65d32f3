package symbols

import (
	"debug/dwarf"
	"fmt"
	"sort"

	"github.com/dap-ptrace/dap-ptrace/symbols/dwarfsec"
)

// unitOf returns the unit holding the DIE at off, or nil.
func (v *varData) unitOf(off dwarf.Offset) *dwarfsec.Unit {
	i := sort.Search(len(v.units), func(i int) bool { return v.units[i].Start > off }) - 1
	if i < 0 {
		return nil
	}
	return &v.units[i]
}

// locExpr returns the expression of a location-class attribute of e valid
// at pc: the block itself for exprloc, or the matching location-list entry.
// It returns nil without error when the list has no entry for pc.
func (v *varData) locExpr(e *dwarf.Entry, attr dwarf.Attr, pc uint64) ([]byte, error) {
	fld := e.AttrField(attr)
	if fld == nil {
		return nil, nil
	}
	switch val := fld.Val.(type) {
	case []byte:
		return val, nil
	case int64:
		u := v.unitOf(e.Offset)
		if u == nil {
			return nil, fmt.Errorf("%w: no unit for DIE %#x", dwarfsec.ErrLocList, e.Offset)
		}
		// A DW_FORM_loclistx value is of class loclist, not loclistptr.
		return v.locs.Find(u, uint64(val), fld.Class == dwarf.ClassLocList, pc)
	}
	return nil, nil
}
