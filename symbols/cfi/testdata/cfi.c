/* Test program for the call frame information tests (cfi_test.go). It is
 * only compiled, never run. Built with -DBOTH_CFI_SECTIONS the assembler
 * writes every function's CFI to both .eh_frame and .debug_frame. */
#include <stdio.h>

#ifdef BOTH_CFI_SECTIONS
__asm__(".cfi_sections .eh_frame, .debug_frame");
#endif

volatile long cfi_sink;

__attribute__((noipa)) long cfi_callee(long x)
{
	cfi_sink += x;
	return cfi_sink;
}

/* a and b stay live across both calls, so at -O2 they live in callee-saved
 * registers and the function pushes them: the CFA offset changes with each
 * push and pop when there is no frame pointer. */
__attribute__((noipa)) long cfi_pusher(long a, long b)
{
	long x = cfi_callee(a);
	long y = cfi_callee(b);
	return x * a + y * b;
}

int main(int argc, char **argv)
{
	/* A call into libc gives the program a PLT entry, whose CFA is a
	 * DWARF expression. */
	if (argc > 100)
		puts(argv[0]);
	return (int)cfi_pusher(argc, argc + 1);
}
