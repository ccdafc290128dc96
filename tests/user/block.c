/* Blocks forever: the main thread in pthread_join (a futex wait), the other
   in a pipe read. Used to check that a host signal still ends the guest. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int p[2];

static void *reader(void *arg) {
    char c;
    read(p[0], &c, 1);
    return arg;
}

int main(void) {
    pthread_t t;
    pipe(p);
    pthread_create(&t, NULL, reader, NULL);
    printf("blocking\n");
    fflush(stdout);
    pthread_join(t, NULL);
    return 0;
}
