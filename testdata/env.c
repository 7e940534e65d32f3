/* Prints its environment variable DAPT_VAR, its arguments and its working
   directory, for the launch-argument tests. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
	char cwd[4096];
	const char *v = getenv("DAPT_VAR");
	const char *w = getenv("DAPT_OTHER");
	printf("var=%s other=%s\n", v ? v : "(unset)", w ? w : "(unset)");
	for (int i = 1; i < argc; i++)
		printf("arg=%s\n", argv[i]);
	if (getcwd(cwd, sizeof cwd))
		printf("cwd=%s\n", cwd);
	return 0;
}
