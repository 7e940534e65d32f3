/* qsort calling back into our comparator: a stack through libc. */
#include <stdlib.h>

static int cmp(const void *a, const void *b) {
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y); /* BP:cmp */
}

int main(void) {
	int v[] = {5, 3, 9, 1};
	qsort(v, 4, sizeof v[0], cmp); /* BP:qsort */
	return v[0];
}
