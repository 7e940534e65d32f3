/* A library for dl.c, loaded at run time. */
int lib_twice(int x) {
	int y = x * 2; /* BP:lib */
	return y;
}
