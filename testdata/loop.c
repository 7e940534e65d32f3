/* A hot loop for benchmarks: a breakpoint on the marked line is hit once per
   iteration; big is a 1 MiB buffer to read. */
#include <string.h>

volatile long counter;
unsigned char big[1 << 20];

static long bump(long v) {
	return v + 1; /* BP:bump */
}

int main(void) {
	memset(big, 0x5a, sizeof big);
	for (;;) {
		counter++; /* BP:hot */
		counter = bump(counter); /* BP:call */
	}
	return 0;
}
