/* live: a program that never stops on its own, for reading it while it
 * runs. counter counts the loop; every 2^20 turns stats records a hit. */
#include <stdio.h>

/* Each on a page of its own: a software watchpoint on stats protects its
 * page, and counter's writes there would each cost a fault. */
volatile unsigned long counter __attribute__((aligned(4096)));
struct stats {
	long hits;
	double ratio;
} stats __attribute__((aligned(4096)));
const char *label = "live";

int main(void)
{
	puts("running");
	fflush(stdout);
	for (;;) {
		counter++;
		if ((counter & 0xfffff) == 0) {
			stats.hits++; /* BP:livehit */
			stats.ratio = (double)stats.hits / 2;
		}
	}
}
