/* Optimised code (built with -O2): no frame pointers, CFI only. */
#include <stdio.h>

__attribute__((noinline)) static int work(const int *v, int n) {
	int s = 0;
	for (int i = 0; i < n; i++)
		s += v[i] * 3;
	return s; /* BP:work */
}

int main(int argc, char **argv) {
	int v[64];
	for (int i = 0; i < 64; i++)
		v[i] = i + argc;
	int r = work(v, 64); /* BP:call */
	printf("%d\n", r);
	return 0;
}
