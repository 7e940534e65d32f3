/* Second compile unit of the test program. */
int helper(int x)
{
	return x * 7; /* LINE:helperbody */
}
