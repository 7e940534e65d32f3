package symbols

import (
	"bytes"
	"debug/dwarf"
	"fmt"
)

// Optimised code often keeps a parameter only as "the value register N had
// when the function was entered" (DW_OP_entry_value), the register being
// reused since. The caller's call site may say how to recompute that value
// in the caller's frame (DW_TAG_call_site_parameter with DW_AT_call_value),
// which is how gdb shows such parameters; this is that lookup.

// DWARF 5 call-site tags and attributes, and the GNU ones gcc emits for
// DWARF 4.
const (
	tagCallSite             = dwarf.Tag(0x48)
	tagCallSiteParameter    = dwarf.Tag(0x49)
	tagGNUCallSite          = dwarf.Tag(0x4109)
	tagGNUCallSiteParameter = dwarf.Tag(0x410a)
	attrCallReturnPC        = dwarf.Attr(0x7d)
	attrCallValue           = dwarf.Attr(0x7e)
	attrGNUCallSiteValue    = dwarf.Attr(0x2111)
)

// CallSiteValue finds, in the function containing the call that returns to
// the link-time address ret, the call-site parameter whose location is loc
// (the block of a DW_OP_entry_value, e.g. DW_OP_reg5), and returns its
// DW_AT_call_value: an expression that computes the parameter's value in
// the caller's frame at ret. ok is false when DWARF records none.
func (f *File) CallSiteValue(ret uint64, loc []byte) (expr []byte, ok bool, err error) {
	v, err := f.varData()
	if err != nil {
		return nil, false, err
	}
	sub, found := v.subAt(ret - 1)
	if !found {
		return nil, false, nil
	}
	r := v.d.Reader()
	r.Seek(sub)
	fn, err := r.Next()
	if err != nil || fn == nil {
		return nil, false, fmt.Errorf("symbols: reading the function at %#x: %v", ret, err)
	}
	if !fn.Children {
		return nil, false, nil
	}
	// Call sites sit anywhere in the function's tree (in blocks, in
	// inlined code); walk it all.
	for depth := 1; depth > 0; {
		e, err := r.Next()
		if err != nil || e == nil {
			return nil, false, err
		}
		if e.Tag == 0 {
			depth--
			continue
		}
		if (e.Tag == tagCallSite || e.Tag == tagGNUCallSite) && e.Children && callReturns(e, ret) {
			return v.callParam(r, loc)
		}
		if e.Children {
			depth++
		}
	}
	return nil, false, nil
}

// callReturns tells whether call site e returns to ret: DWARF 5 gives the
// return address as DW_AT_call_return_pc, the GNU extension as DW_AT_low_pc.
func callReturns(e *dwarf.Entry, ret uint64) bool {
	if pc, ok := e.Val(attrCallReturnPC).(uint64); ok {
		return pc == ret
	}
	pc, ok := e.Val(dwarf.AttrLowpc).(uint64)
	return ok && pc == ret
}

// callParam reads the children of the call site just read for the
// parameter at loc.
func (v *varData) callParam(r *dwarf.Reader, loc []byte) ([]byte, bool, error) {
	for {
		e, err := r.Next()
		if err != nil || e == nil || e.Tag == 0 {
			return nil, false, err
		}
		if e.Tag != tagCallSiteParameter && e.Tag != tagGNUCallSiteParameter {
			if e.Children {
				r.SkipChildren()
			}
			continue
		}
		if l, _ := e.Val(dwarf.AttrLocation).([]byte); bytes.Equal(l, loc) {
			val, ok := e.Val(attrCallValue).([]byte)
			if !ok {
				val, ok = e.Val(attrGNUCallSiteValue).([]byte)
			}
			return val, ok, nil
		}
	}
}

// FrameBaseAt returns DW_AT_frame_base of the function containing the
// link-time pc, as LocalsAt does, for evaluating expressions of that frame
// that use DW_OP_fbreg.
func (f *File) FrameBaseAt(pc uint64) ([]byte, error) {
	v, err := f.varData()
	if err != nil {
		return nil, err
	}
	sub, ok := v.subAt(pc)
	if !ok {
		return nil, nil
	}
	r := v.d.Reader()
	r.Seek(sub)
	fn, err := r.Next()
	if err != nil || fn == nil {
		return nil, fmt.Errorf("symbols: reading the function at %#x: %v", pc, err)
	}
	return v.locExpr(fn, dwarf.AttrFrameBase, pc)
}
