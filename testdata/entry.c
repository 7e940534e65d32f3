/* Parameters only known as their value at function entry (built with -O2):
 * after the first call, n's register is reused, and DWARF describes n as
 * DW_OP_entry_value(rdi), recoverable from main's call site. */
#include <stdio.h>

volatile int sink;

__attribute__((noipa)) int use(int x) {
	sink = x;
	return x * 2;
}

__attribute__((noipa)) int twice(int n, int k) {
	int s = use(k);
	s += use(k + 1);
	return s + 1; /* BP:entry */
}

int main(int argc, char **argv) {
	int base = argc + 40;
	int r = twice(base, 7);
	r += twice(base + 1, 9) + base * 3;
	printf("%d\n", r);
	return 0;
}
