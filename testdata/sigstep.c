/* A breakpoint in a loop while a timer signal arrives every 50 µs: the
   signals that land while the debugger steps over the breakpoint must be
   delivered once, after the step, and the breakpoint reported once per
   iteration. argv[1] iterations (default 100); exits 0 when every
   iteration ran once and the handler ran. */
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>

static volatile sig_atomic_t ticks;
static volatile int done;

static void tick(int sig) {
	(void)sig;
	ticks++;
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 100;
	signal(SIGALRM, tick);
	struct itimerval it = {{0, 50}, {0, 50}};
	setitimer(ITIMER_REAL, &it, NULL);
	for (int i = 0; i < n; i++) {
		done++; /* BP:loop */
	}
	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &off, NULL);
	return done == n && ticks > 0 ? 0 : 1;
}
