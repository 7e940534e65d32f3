/* live: a program that never stops on its own, for reading it while it
 * runs. counter counts the loop; every 2^20 turns stats records a hit. */
#include <stdio.h>

volatile unsigned long counter;
struct stats {
	long hits;
	double ratio;
} stats;
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
