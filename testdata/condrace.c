/* condrace: four threads run the same loop at once, for a conditional
 * breakpoint whose condition holds once, in one thread, while the others
 * keep hitting it with the condition false. */
#include <pthread.h>
#include <stdio.h>

static volatile long sink;

static void *run(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < 300; i++)
		sink += i * id; /* BP:hot */
	return NULL;
}

int main(void)
{
	pthread_t t[4];
	for (long k = 0; k < 4; k++)
		pthread_create(&t[k], NULL, run, (void *)k);
	for (int k = 0; k < 4; k++)
		pthread_join(t[k], NULL);
	printf("done\n");
	return 0;
}
