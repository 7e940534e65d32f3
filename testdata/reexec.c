/* A program that replaces itself with execve: breakpoints set before are
 * found again in the new image. */
#include <stdio.h>
#include <unistd.h>

/* generation is written in each image: a watch on it survives the exec. */
int generation;

int before(int x) {
	return x + 1; /* BP:before */
}

int after(int x) {
	return x * 2; /* BP:after */
}

int main(int argc, char **argv) {
	if (argc < 2) {
		printf("before=%d\n", before(1));
		generation = 1;
		fflush(stdout);
		execl("/proc/self/exe", argv[0], "again", (char *)0);
		return 1;
	}
	generation = 2; /* BP:again */
	printf("after=%d\n", after(21));
	return 0;
}
