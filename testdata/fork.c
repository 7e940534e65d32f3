/* A program that starts other processes: system() (posix_spawn, a vfork-like
 * clone) and fork() whose child runs code that has a breakpoint. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int work(int x) {
	return x * 2; /* BP:work */
}

int main(void) {
	int r = system("echo from-system");
	printf("system=%d\n", r);
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		printf("child work=%d\n", work(21));
		fflush(stdout);
		_exit(3);
	}
	int st;
	waitpid(p, &st, 0);
	printf("parent work=%d child exit=%d\n", work(1), WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st));
	return 0;
}
