/* Data breakpoints: a global written through a pointer, a struct member
 * written by another thread. */
#include <pthread.h>
#include <stdio.h>

struct point {
	int x, y;
};

struct point g_pt;
long counter;
char g_name[16] = "watch";

void bump(long *c) {
	*c += 1; /* BP:bump */
}

void *worker(void *arg) {
	for (int i = 0; i < 3; i++)
		g_pt.y += 10; /* BP:thread_write */
	return arg;
}

int main(void) {
	int local = 0; /* BP:start */
	for (int i = 0; i < 5; i++) {
		bump(&counter);
		local += 2;
	}
	g_pt.x = 7;
	pthread_t t;
	pthread_create(&t, 0, worker, 0);
	pthread_join(t, 0);
	printf("%ld %d %d %d %s\n", counter, local, g_pt.x, g_pt.y, g_name);
	return 0;
}
