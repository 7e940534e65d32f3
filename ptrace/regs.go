package ptrace

import (
	"fmt"
	"strings"
)

// Register is one register's name and value.
type Register struct {
	Name  string
	Value uint64
}

// RegisterList lists a thread's registers by name: the general-purpose
// ones, flags, segments, fs and gs bases, and orig_rax.
func RegisterList(r *Regs) []Register {
	return []Register{
		{"rip", r.Rip}, {"rsp", r.Rsp}, {"rbp", r.Rbp},
		{"rax", r.Rax}, {"rbx", r.Rbx}, {"rcx", r.Rcx}, {"rdx", r.Rdx},
		{"rsi", r.Rsi}, {"rdi", r.Rdi},
		{"r8", r.R8}, {"r9", r.R9}, {"r10", r.R10}, {"r11", r.R11},
		{"r12", r.R12}, {"r13", r.R13}, {"r14", r.R14}, {"r15", r.R15},
		{"eflags", r.Eflags},
		{"cs", r.Cs}, {"ss", r.Ss}, {"ds", r.Ds}, {"es", r.Es}, {"fs", r.Fs}, {"gs", r.Gs},
		{"fs_base", r.Fs_base}, {"gs_base", r.Gs_base},
		{"orig_rax", r.Orig_rax},
	}
}

// FlagsString decodes the x86 flags a person looks at ("ZF PF IF").
func FlagsString(v uint64) string {
	names := []struct {
		bit  uint
		name string
	}{{0, "CF"}, {2, "PF"}, {4, "AF"}, {6, "ZF"}, {7, "SF"}, {8, "TF"}, {9, "IF"}, {10, "DF"}, {11, "OF"}}
	var out []string
	for _, n := range names {
		if v&(1<<n.bit) != 0 {
			out = append(out, n.name)
		}
	}
	return strings.Join(out, " ")
}

// RegisterField returns where register name is kept in regs: the
// general-purpose registers, rip and eflags. Segment registers, fs_base,
// gs_base and orig_rax are left alone: writing them breaks the thread or
// the system call it is in more often than it helps.
func RegisterField(regs *Regs, name string) *uint64 {
	return map[string]*uint64{
		"rax": &regs.Rax, "rbx": &regs.Rbx, "rcx": &regs.Rcx, "rdx": &regs.Rdx,
		"rsi": &regs.Rsi, "rdi": &regs.Rdi, "rbp": &regs.Rbp, "rsp": &regs.Rsp,
		"r8": &regs.R8, "r9": &regs.R9, "r10": &regs.R10, "r11": &regs.R11,
		"r12": &regs.R12, "r13": &regs.R13, "r14": &regs.R14, "r15": &regs.R15,
		"rip": &regs.Rip, "eflags": &regs.Eflags,
	}[name]
}

// VectorRegister is an SSE or x87 control register, as bytes.
type VectorRegister struct {
	Name  string
	Bytes []byte // little-endian
}

// List names the x87 control and status registers, mxcsr and xmm0–15.
func (fp *FPRegs) List() []VectorRegister {
	// FXSAVE layout: fcw at 0, fsw at 2, mxcsr at 24, xmm0 at 160.
	out := []VectorRegister{{"fcw", fp[0:2]}, {"fsw", fp[2:4]}, {"mxcsr", fp[24:28]}}
	for i := 0; i < 16; i++ {
		out = append(out, VectorRegister{fmt.Sprintf("xmm%d", i), fp[160+16*i : 176+16*i]})
	}
	return out
}
