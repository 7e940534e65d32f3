/* Recursion 1000 deep, for stacks and stepping through recursive frames. */
#include <stdlib.h>

static volatile int spin; /* argv[2] "spin": loop at the bottom for ever */

static int bottom(int n) {
	while (spin)
		n++; /* BP:spin */
	return n * 3; /* BP:bottom */
}

static int depth(int n) {
	if (n == 0)
		return bottom(n);
	int r = depth(n - 1); /* BP:recurse */
	return r + 1; /* BP:after */
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	spin = argc > 2;
	int r = depth(n); /* BP:main */
	return r == n ? 0 : 1;
}
