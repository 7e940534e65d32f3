/* A busy multi-threaded program: for pause, attach and thread listing.
   argv[1] is the number of workers (default 2, at most 16). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static volatile unsigned long counter;

static void *worker(void *arg) {
	for (;;) {
		__atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED); /* BP:worker */
	}
	return arg;
}

int main(int argc, char **argv) {
	pthread_t t[16];
	char name[16];
	int workers = argc > 1 ? atoi(argv[1]) : 2;
	if (workers > 16)
		workers = 16;
	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 0; i < workers; i++) {
		pthread_create(&t[i], NULL, worker, NULL);
		snprintf(name, sizeof name, "worker-%d", i);
		pthread_setname_np(t[i], name);
	}
	printf("ready %d\n", getpid());
	for (unsigned long n = 0;; n++) {
		usleep(20000); /* BP:sleep */
		printf("tick %lu\n", n); /* BP:tick */
	}
	return 0;
}
