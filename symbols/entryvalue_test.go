package symbols

import (
	"errors"
	"testing"
)

// DW_OP_entry_value(DW_OP_reg5) DW_OP_plus_uconst 40 DW_OP_stack_value,
// with the entry value supplied, evaluates to that value plus 40; without
// one it is reported as unrecoverable (shown as optimized out).
func TestEntryValueSubstitution(t *testing.T) {
	expr := []byte{0xa3, 0x01, 0x55, 0x23, 40, 0x9f}
	var asked []byte
	ctx := LocContext{EntryValue: func(block []byte) (uint64, error) {
		asked = block
		return 2, nil
	}}
	pieces, err := EvalLocation(expr, ctx, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || asked[0] != 0x55 {
		t.Errorf("asked for the entry value of % x, want 55 (DW_OP_reg5)", asked)
	}
	if len(pieces) != 1 || !pieces[0].IsValue || pieces[0].Value[0] != 42 {
		t.Errorf("pieces %+v, want the value 42", pieces)
	}
	// The GNU spelling, and no way to compute it.
	gnu := []byte{0xf3, 0x01, 0x55, 0x9f}
	if _, err := EvalLocation(gnu, LocContext{}, 4); !errors.Is(err, ErrNoEntryValue) {
		t.Errorf("without EntryValue: %v, want ErrNoEntryValue", err)
	}
	// An expression without the operation is evaluated as it is, even when
	// an operand byte looks like it (DW_OP_const1u 0xa3).
	plain := []byte{0x08, 0xa3, 0x9f}
	pieces, err = EvalLocation(plain, LocContext{}, 1)
	if err != nil || len(pieces) != 1 || pieces[0].Value[0] != 0xa3 {
		t.Errorf("const1u 0xa3: %+v, %v", pieces, err)
	}
}
