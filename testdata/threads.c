/* Many threads parked on a barrier, for thread listing and all-stop at
   scale. argv[1] is the number of threads besides main (default 8). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_barrier_t ready, done;

static void *parked(void *arg) {
	pthread_barrier_wait(&ready);
	pthread_barrier_wait(&done); /* BP:parked */
	return arg;
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 8;
	pthread_t *t = calloc(n, sizeof *t);
	pthread_barrier_init(&ready, NULL, n + 1);
	pthread_barrier_init(&done, NULL, n + 1);
	for (int i = 0; i < n; i++) {
		pthread_attr_t a;
		pthread_attr_init(&a);
		pthread_attr_setstacksize(&a, 64 << 10);
		pthread_create(&t[i], &a, parked, NULL);
		pthread_attr_destroy(&a);
	}
	pthread_barrier_wait(&ready);
	printf("%d threads parked\n", n); /* BP:ready */
	pthread_barrier_wait(&done);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return 0;
}
