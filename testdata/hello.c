#include <stdio.h>
#include <stdlib.h>

static int add(int a, int b) {
	int sum = a + b; /* BP:add */
	return sum;
}

int main(int argc, char **argv) {
	int total = 0;
	for (int i = 0; i < 3; i++) {
		total = add(total, i); /* BP:loop */
	}
	printf("total=%d\n", total); /* BP:print */
	fprintf(stderr, "to stderr\n");
	if (argc > 1)
		return atoi(argv[1]); /* BP:ret */
	return 0;
}
