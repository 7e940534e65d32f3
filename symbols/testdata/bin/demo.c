/* Source of the checked-in binaries beside it (see build.sh). bin_test.go
 * asserts on line numbers of this file: rebuild and update both together. */
struct point {
	int x;
	long y;
};

typedef unsigned int count_t;

int counter = 5;
static double ratio = 1.5;
const char *greeting = "hi";
struct point origin = {1, 2};
volatile int sink;

int twice(int v);

__attribute__((noinline)) int add(int a, int b)
{
	int sum = a + b;
	return sum;
}

static inline int scale(int x)
{
	return x * 3 + sink;
}

int main(int argc, char **argv)
{
	count_t n = 0;
	struct point p = {argc, 4};

	for (int i = 0; i < argc + 2; i++) {
		n += add(n, i);
	}
	sink = scale(n);
	sink = scale(sink + argc);
	p.y += twice(p.x) + (long)ratio + counter + greeting[0] + (argv[0] != 0);
	return (int)p.y & 1;
}
