#include <stdio.h>

int main(void) {
	int n = 0;
	for (int i = 0; i < 3; i++) {
		n += i; /* BP:loop */
	}
	printf("n=%d\n", n); /* BP:loop2 */
	return 0;
}
