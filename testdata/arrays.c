/* Big data for paging: a million-element array, a 1 MiB string, and a
   frame with structs, arrays and pointers. */
#include <string.h>

struct point { int x, y; };
struct rect { struct point a, b; const char *name; int tags[4]; };

int million[1000000];
char text[1 << 20];

int main(void) {
	for (int i = 0; i < 1000000; i++)
		million[i] = i * 3;
	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 2] = 'y';
	struct rect r = {{1, 2}, {3, 4}, "box", {5, 6, 7, 8}};
	struct rect *pr = &r;
	struct point pts[8] = {{0, 0}};
	int hundred[100] = {42};
	const char *s = text;
	return r.a.x + pr->b.y + pts[0].x + hundred[0] + s[0] > 0 ? 0 : 1; /* BP:arrays */
}
