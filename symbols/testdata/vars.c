/* Test program for LocalsAt, GlobalsAt and type decoding. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct point {
	int x, y;
};

struct shape {
	struct point origin;
	unsigned flags : 3;
	unsigned kind : 5;
	union {
		int radius;
		float side;
	};
	char tag[4];
};

union u {
	int i;
	double d;
};

enum color { RED, GREEN = 5, BLUE = -2 };

typedef int myint;
typedef myint count_t;

struct blob {
	int len;
	char data[];
};

int g_counter = 42;
static double g_ratio = 1.5;
const char *g_name = "vars";

static int twice(int v) { return v * 2; }

__attribute__((noinline)) int accumulate(int n, int *out)
{
	int sum = 0;
	for (int i = 0; i < n; i++) {
		sum += i * n;
		out[i % 4] = sum;
	}
	return sum + g_counter; /* LINE:accret */
}

int main(int argc, char **argv)
{
	static int s_calls = 0;
	int i = 7;
	unsigned int ui = 8;
	short sh = -3;
	long long ll = 1LL << 40;
	char c = 'c';
	unsigned char uc = 200;
	bool flag = true;
	float fl = 2.5f;
	double db = 3.25;
	int *ip = &i;
	char *cp = argv[0];
	const char *ccp = "const";
	struct shape sp = {{1, 2}, 5, 17, {.radius = 9}, "abc"};
	union u un = {.i = 3};
	enum color col = GREEN;
	int arr[10] = {1, 2, 3};
	int grid[3][4] = {{1}};
	int (*fp)(int) = twice;
	count_t cnt = 11;
	struct blob *bp = malloc(sizeof(struct blob) + 4);
	int out[4] = {0};

	s_calls++;
	bp->len = 4;
	memcpy(bp->data, "xyz", 4);
	{
		int i = 99;
		long inner = i + cnt;
		printf("%d %ld\n", i, inner); /* LINE:inner */
	}
	printf("%d %u %d %lld %c %u %d %f %f %p %s %s %d %d %d %d %d %d %d %s %d\n",
	       i, ui, sh, ll, c, uc, flag, fl, db, (void *)ip, cp, ccp, sp.origin.x,
	       un.i, col, arr[0], grid[0][0], fp(3), cnt, bp->data, s_calls);
	printf("%d %f %s\n", accumulate(argc + 3, out), g_ratio, g_name);
	free(bp);
	return 0;
}
