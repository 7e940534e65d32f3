/* Second compile unit of the binaries beside it (see build.sh). */
static int calls;

int twice(int v)
{
	calls++;
	return v * 2 + calls;
}
