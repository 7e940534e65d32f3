/* Loads the library named by argv[1] with dlopen, calls lib_twice, unloads it. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
	if (argc < 2)
		return 2;
	void *h = dlopen(argv[1], RTLD_NOW);
	if (!h) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	int (*twice)(int) = (int (*)(int))dlsym(h, "lib_twice");
	int r = twice(21); /* BP:call */
	dlclose(h);
	return r == 42 ? 0 : 3; /* BP:after */
}
