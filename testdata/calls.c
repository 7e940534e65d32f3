/* One line that calls several functions, for stepping into one of them. */
#include <stdio.h>

int twice(int x) {
	return 2 * x; /* BP:twice */
}

int inc(int x) {
	return x + 1; /* BP:inc */
}

int main(void) {
	int r = inc(twice(3)) + twice(1); /* BP:calls */
	printf("%d\n", r);
	return 0;
}
