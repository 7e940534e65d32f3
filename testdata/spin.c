/* A busy multi-threaded program: for pause, attach and thread listing. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static volatile unsigned long counter;

static void *worker(void *arg) {
	for (;;) {
		__atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED); /* BP:worker */
	}
	return arg;
}

int main(void) {
	pthread_t t[2];
	char name[16];
	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 0; i < 2; i++) {
		pthread_create(&t[i], NULL, worker, NULL);
		snprintf(name, sizeof name, "worker-%d", i);
		pthread_setname_np(t[i], name);
	}
	printf("ready %d\n", getpid());
	for (unsigned long n = 0;; n++) {
		usleep(20000);
		printf("tick %lu\n", n); /* BP:tick */
	}
	return 0;
}
