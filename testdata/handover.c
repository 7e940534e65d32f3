/* handover: forks a child that exits 7 and writes, to the file argv[1],
 * how the child ended ("exit 7", or "signal N"). */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	pid_t p = fork();
	if (p == 0)
		_exit(7);
	int st;
	if (waitpid(p, &st, 0) != p)
		return 1;
	FILE *f = fopen(argv[1], "w");
	if (f == NULL)
		return 1;
	fprintf(f, "%s %d\n", WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return fclose(f) != 0;
}
