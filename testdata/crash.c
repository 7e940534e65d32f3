/* Dies the way argv[1] says: segv, abort, fpe, term; or usr1: handles a
   SIGUSR1 and exits 0 if the handler ran. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int divide(int a, int b) { return a / b; /* BP:fpe */ }

static volatile sig_atomic_t handled;
static void on_usr1(int sig) { handled = sig; }

int main(int argc, char **argv) {
	const char *how = argc > 1 ? argv[1] : "segv";
	if (strcmp(how, "segv") == 0) {
		volatile int *p = (int *)16;
		*p = 1; /* BP:segv */
	} else if (strcmp(how, "abort") == 0) {
		abort();
	} else if (strcmp(how, "fpe") == 0) {
		return divide(1, argc - 2);
	} else if (strcmp(how, "usr1") == 0) {
		signal(SIGUSR1, on_usr1);
		raise(SIGUSR1);
		return handled == SIGUSR1 ? 0 : 1;
	} else if (strcmp(how, "term") == 0) {
		kill(getpid(), SIGTERM);
		pause();
	}
	return 3;
}
