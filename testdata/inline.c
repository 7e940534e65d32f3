/* Inlined calls (built with -O2): scale is inlined into sumsq, sumsq into
 * compute, so one instruction belongs to three source-level frames. */
#include <stdio.h>
#include <stdlib.h>

static volatile int sink;

static inline __attribute__((always_inline)) int scale(int x, int k) {
	sink = x;  /* BP:scale */
	return x * k;
}

static inline __attribute__((always_inline)) int sumsq(int a, int b) {
	int s = scale(a, a); /* BP:call_scale */
	return s + scale(b, b);
}

__attribute__((noinline)) int compute(int a, int b) {
	int r = sumsq(a, b); /* BP:call_sumsq */
	sink = r;
	return r + 1;
}

/* A statement of its own before and after an inlined call: next goes
 * from one to the other without stopping in sumsq or scale. */
__attribute__((noinline)) int around(int a, int b) {
	sink = a + b; /* BP:before */
	int r = sumsq(a, b);
	sink = r - 1; /* BP:after */
	return r;
}

int main(int argc, char **argv) {
	int a = argc + 2, b = argc + 3;
	int r = compute(a, b); /* BP:call_compute */
	r += around(a, b) - r;
	printf("%d\n", r);
	return 0;
}
