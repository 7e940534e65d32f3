package cfi

import "testing"

func TestEvalCFAExprPLT(t *testing.T) {
	// DW_OP_breg7 (rsp) 8; DW_OP_breg16 (rip) 0; DW_OP_lit15; DW_OP_and;
	// DW_OP_lit11; DW_OP_ge; DW_OP_lit3; DW_OP_shl; DW_OP_plus
	const rsp, entry = 0x7ffc_1000, 0x401030
	for off := uint64(0); off < 16; off++ {
		calls := 0
		cfa, err := EvalCFAExpr(pltCFAExpr, func(reg uint64) uint64 {
			calls++
			switch reg {
			case DwarfRSP:
				return rsp
			case DwarfRA:
				return entry + off
			}
			return 0xdead
		})
		want := uint64(rsp + 8)
		if off >= 11 {
			want += 8
		}
		if err != nil || cfa != want {
			t.Errorf("rip=entry+%d: CFA %#x, %v; want %#x", off, cfa, err, want)
		}
		if calls != 17 {
			t.Errorf("regs called %d times, want 17", calls)
		}
	}
	// Memory reads are not available, and a bad expression is an error.
	for _, expr := range [][]byte{{0x77, 0x00, 0x06}, {0x22}, {0x30, 0x30, 0x1b}, {0x57}} {
		if v, err := EvalCFAExpr(expr, func(uint64) uint64 { return 8 }); err == nil {
			t.Errorf("EvalCFAExpr(% x) = %#x, want an error", expr, v)
		}
	}
}
