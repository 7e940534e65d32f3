/* chatty: writes argv[1] MiB to stdout in 64-byte lines, then opens the
 * FIFO argv[2] and writes "done" to it: whoever reads the FIFO learns the
 * program got all its output out. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	long lines = atol(argv[1]) * 16384;
	char line[64];
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\n';
	for (long i = 0; i < lines; i++)
		fwrite(line, 1, sizeof line, stdout);
	fflush(stdout);
	int fd = open(argv[2], O_WRONLY);
	if (fd < 0 || write(fd, "done", 4) != 4)
		return 1;
	close(fd);
	return 0;
}
