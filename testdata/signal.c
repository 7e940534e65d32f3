/* A SIGUSR1 handler: a stack through the kernel's signal frame. */
#include <signal.h>

static volatile sig_atomic_t got;

static void handler(int sig) {
	got = sig; /* BP:handler */
}

int main(void) {
	signal(SIGUSR1, handler);
	raise(SIGUSR1); /* BP:raise */
	return got == SIGUSR1 ? 0 : 1;
}
