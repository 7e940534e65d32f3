/* Threads created and ending all the time while main runs through a
   breakpoint: the world is stopped while threads are being born and are
   dying. argv[1] iterations of main's loop (default 50); exits 0 when
   every iteration ran once. */
#include <pthread.h>
#include <stdlib.h>

static volatile int stop, spawned;

static void *brief(void *arg) { return arg; }

static void *spawner(void *arg) {
	while (!stop) {
		pthread_t t;
		if (pthread_create(&t, NULL, brief, NULL) == 0) {
			pthread_detach(t);
			spawned++;
		}
	}
	return arg;
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 50;
	pthread_t s;
	pthread_create(&s, NULL, spawner, NULL);
	int done = 0;
	for (int i = 0; i < n; i++) {
		done++; /* BP:iter */
	}
	stop = 1;
	pthread_join(s, NULL);
	return done == n && spawned > 0 ? 0 : 1;
}
