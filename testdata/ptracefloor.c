/* ptracefloor: the least a tracer can do. It starts argv[2..] traced,
 * follows its threads (PTRACE_O_TRACECLONE), and only waits and continues
 * until argv[1] stops have come; it prints the time that took, from the
 * exec stop, in milliseconds. Then it stops every thread it saw (tgkill
 * SIGSTOP, as an all-stop debugger does to report a stop) and collects
 * each one's stop, and prints that time too: the floors a debugger's
 * handling of the same events is measured against. */
#include <signal.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	long want = atol(argv[1]);
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execv(argv[2], argv + 2);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
		return 1;
	struct timespec a, b, c;
	pid_t *tids = calloc(want + 1, sizeof *tids);
	long ntids = 0;
	clock_gettime(CLOCK_MONOTONIC, &a);
	ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL);
	ptrace(PTRACE_CONT, pid, 0, 0);
	for (long n = 0; n < want;) {
		pid_t t = waitpid(-1, &st, __WALL);
		if (t < 0)
			return 1;
		if (!WIFSTOPPED(st))
			continue;
		n++;
		int sig = WSTOPSIG(st);
		tids[ntids++] = t;
		ptrace(PTRACE_CONT, t, 0, sig == SIGTRAP || sig == SIGSTOP ? 0 : sig);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	qsort(tids, ntids, sizeof *tids, cmp);
	long u = 0;
	for (long i = 0; i < ntids; i++)
		if (u == 0 || tids[u - 1] != tids[i])
			tids[u++] = tids[i];
	ntids = u;
	for (long i = 0; i < ntids; i++)
		syscall(SYS_tgkill, pid, tids[i], SIGSTOP);
	for (long n = 0; n < ntids;) {
		pid_t t = waitpid(-1, &st, __WALL);
		if (t < 0)
			return 1;
		if (WIFSTOPPED(st))
			n++;
	}
	clock_gettime(CLOCK_MONOTONIC, &c);
	printf("%.3f ms %.3f ms\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6,
	       (c.tv_sec - b.tv_sec) * 1e3 + (c.tv_nsec - b.tv_nsec) / 1e6);
	kill(pid, SIGKILL);
	return 0;
}
