/* Casts, setExpression and register assignment (e2e/casts_test.go,
 * e2e/assign_test.go): the program prints what it computes with, so
 * assignments show in its output. */
#include <stdbool.h>
#include <stdio.h>

typedef int myint;
enum color { RED, GREEN = 5, BLUE };
struct point { int x, y; };
struct node { int val; struct node *next; };

int g_count = 3;
const char *g_name = "square";

static int identity(int v) {
	return v;
} /* BP:ret */

int main(void) {
	myint m = 300;
	int i = -42;
	double d = 2.75;
	char c = 'A';
	bool flag = false;
	struct point pt = {3, 4};
	struct point *ppt = &pt;
	long addr = (long)&pt;
	int arr[5] = {1, 2, 3, 4, 5};
	struct node second = {20, NULL};
	struct node first = {10, &second};
	struct node *p = &first;
	char name[8] = "circle";
	enum color col = GREEN;
	printf("i=%d d=%g c=%c flag=%d ppt=%d addr=%d\n", i, d, c, flag, ppt != 0, addr != 0); /* BP:casts */
	printf("pt=%d,%d arr3=%d val=%d g=%d col=%d m=%d name=%s\n", pt.x, pt.y, arr[3], p->next->val, g_count, col, m, name);
	int r = identity(5);
	printf("r=%d\n", r);
	return 0;
}
