/* Software watchpoints: the neighbours of a watched word written on its
 * page, a local on the stack, a write inside a step, a read, a fork child
 * that writes the watched page, and (with an argument) a crash of its own. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

long before[16];
long target;
long after[16];
long reader = 3;

long bump(long *p, long by) {
	*p += by; /* BP:bump */
	return *p;
}

int main(int argc, char **argv) {
	long local = 1; /* BP:start */
	for (int i = 0; i < 1000; i++) {
		before[i % 16] += i;
		after[i % 16] -= i;
	}
	target = 5; /* BP:first */
	local = 2; /* BP:local */
	bump(&target, 1); /* BP:step */
	long seen = reader; /* BP:read */
	pid_t pid = fork();
	if (pid == 0) {
		before[0] = 1;
		target = 99; /* the child's copy: it must not fault */
		_exit(7);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	printf("%ld %ld %ld %ld %ld %d\n", target, local, before[15], after[15], seen, WEXITSTATUS(status));
	fflush(stdout);
	if (argc > 1)
		*(volatile int *)8 = 1; /* BP:crash */
	return 0;
}
