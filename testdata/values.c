/* Locals of many C types, for the Variables view. */
#include <stdbool.h>
#include <string.h>

enum color { RED, GREEN = 5, BLUE };
struct point { int x, y; };
struct shape {
	struct point origin;
	unsigned kind : 3;
	int delta : 5;
	union { int i; float f; };
	const char *label;
};
typedef struct point point_t;

int g_total = 7;
static double g_ratio = 0.5;

static int twice(int v) { return 2 * v; }

static int inspect(struct shape *s, int n) {
	int local = n + 1;
	return local + s->origin.x; /* BP:inspect */
}

int main(void) {
	int i = -42;
	unsigned int u = 42u;
	char c = 'A';
	bool flag = true;
	float f = 1.5f;
	double d = -2.25;
	long long big = 1234567890123LL;
	enum color col = GREEN;
	enum color odd = (enum color)3;
	struct point pt = {3, 4};
	point_t alias = {5, 6};
	int arr[5] = {1, 2, 3, 4, 5};
	int grid[2][3] = {{1, 2, 3}, {4, 5, 6}};
	char name[16] = "hello";
	const char *msg = "a message";
	struct point *ppt = &pt;
	int *null = 0;
	int (*fn)(int) = twice;
	struct shape sh;
	memset(&sh, 0, sizeof sh);
	sh.origin = pt;
	sh.kind = 5;
	sh.delta = -3;
	sh.i = 99;
	sh.label = "circle";
	int r = inspect(&sh, i); /* BP:values */
	return r + (int)u + c + flag + (int)f + (int)d + (int)big + col + odd + alias.x + arr[0] + grid[0][0] + name[0] + msg[0] + ppt->x + (null != 0) + fn(1) > 0 ? 0 : 1;
}
