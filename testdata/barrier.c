/* Threads released together onto one breakpoint, round after round: the
   all-stop protocol must report every hit, once, whichever thread hits it
   while the world is being stopped for another. argv[1] threads (default
   4), argv[2] rounds (default 10); the exit code is 0 when every thread
   counted every round. */
#include <pthread.h>
#include <stdlib.h>

static pthread_barrier_t gate;
static int rounds;
static int hits[64];

static void *worker(void *arg) {
	int id = (int)(long)arg;
	for (int r = 0; r < rounds; r++) {
		pthread_barrier_wait(&gate);
		hits[id]++; /* BP:hit */
	}
	return NULL;
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 4;
	rounds = argc > 2 ? atoi(argv[2]) : 10;
	pthread_t t[64];
	pthread_barrier_init(&gate, NULL, n);
	for (long i = 0; i < n; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < n; i++)
		if (hits[i] != rounds)
			return 1;
	return 0; /* BP:done */
}
