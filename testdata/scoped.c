/* A watched local whose function returns, and another function whose
   local takes the same stack slot and is written: the watch must end with
   its frame, not stop in the other function. */
#include <stdio.h>

static int __attribute__((noinline)) first(int n) {
	volatile int x = n; /* BP:first */
	x = x + 1;
	return x;
}

static int __attribute__((noinline)) second(int n) {
	volatile int y = n;
	y = y * 2; /* BP:second */
	return y;
}

int main(void) {
	int a = first(1);
	int b = second(5);
	printf("%d %d\n", a, b);
	return a + b == 12 ? 0 : 1;
}
