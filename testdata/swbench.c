/* Software watchpoint benchmark: N writes to a word on the same page as a
 * watched one, then M writes to the watched word. */
#include <stdio.h>
#include <stdlib.h>

volatile long hot;     /* the neighbour, written N times */
volatile long watched; /* the watched word, written M times */

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	long m = argc > 2 ? atol(argv[2]) : 0;
	for (long i = 0; i < n; i++) /* BP:start */
		hot = i;
	for (long i = 1; i <= m; i++) /* BP:mid */
		watched = i;
	printf("%ld %ld\n", hot, watched); /* BP:end */
	return 0;
}
