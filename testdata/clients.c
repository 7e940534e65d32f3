/* For the editor-client tests: its output shows the argument and the
   environment variable the client's launch configuration gave it, and it
   exits with the computed value. */
#include <stdio.h>
#include <stdlib.h>

static int scale(int x, int by) {
	int scaled = x * by; /* BP:scale */
	return scaled; /* BP:scaled */
}

int main(int argc, char **argv) {
	const char *greeting = getenv("GREETING");
	int n = argc > 1 ? atoi(argv[1]) : 1;
	int result = scale(n, 3);
	printf("%s: %d\n", greeting ? greeting : "(no GREETING)", result);
	return result;
}
