/* Reads a number from stdin: run in a terminal, a person types it. */
#include <stdio.h>

int main(void) {
	int n = 0;
	printf("number? ");
	fflush(stdout);
	if (scanf("%d", &n) != 1)
		return 2;
	int twice = 2 * n; /* BP:read */
	printf("twice %d\n", twice);
	return twice == 84 ? 0 : 1;
}
