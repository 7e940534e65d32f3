/* Test program for package symbols. The tests find lines by the LINE:name
 * markers in comments, so lines can move freely. */
#include <stdio.h>

int helper(int x);

volatile int sink;

/* LINE:beforeadd: a comment outside every function */

__attribute__((noinline)) static int add(int a, int b) { /* LINE:adddecl */
	int sum = a + b; /* LINE:addbody */
	return sum;
} /* LINE:addend */

static inline int scale(int x)
{
	return x * 3 + sink; /* LINE:scale */
}

int main(int argc, char **argv) /* LINE:maindecl */
{ /* LINE:mainbrace */
	int total = 0; /* LINE:mainfirst */
	/* LINE:nocode: a comment line inside main */

	for (int i = 0; i < argc + 2; i++) { /* LINE:for */
		total = add(total, i); /* LINE:call */
	}
	sink = scale(total); /* LINE:inl1 */
	sink = scale(sink + argc); /* LINE:inl2 */
	total += helper(argc);
	printf("%d %s\n", total, argv[0]); /* LINE:print */
	return 0;
}
/* LINE:aftermain: nothing follows */
