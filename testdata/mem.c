/* Prints where its memory is, then stops at a breakpoint for readMemory. */
#include <stdio.h>
#include <sys/mman.h>

unsigned char pattern[256];

int main(void) {
	for (int i = 0; i < 256; i++)
		pattern[i] = (unsigned char)(i * 7 + 3);
	/* Two pages, the second unmapped: a read across the end is partial. */
	unsigned char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(page + 4096, 4096);
	for (int i = 0; i < 4096; i++)
		page[i] = (unsigned char)i;
	printf("pattern=%p edge=%p\n", (void *)pattern, (void *)(page + 4096));
	fflush(stdout);
	return pattern[0]; /* BP:read */
}
