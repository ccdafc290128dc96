/* Two threads stream 4 MiB through a pipe with blocking reads and writes
   larger than the pipe buffer: one thread blocked in write must not stop the
   other's read. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define CHUNK (256 * 1024)
#define TOTAL (4 * 1024 * 1024)
static int p[2];
static unsigned char out[CHUNK];

static void *writer(void *arg) {
    for (int i = 0; i < CHUNK; i++) out[i] = (unsigned char)(i * 7);
    for (int sent = 0; sent < TOTAL; sent += CHUNK) {
        int done = 0;
        while (done < CHUNK) {
            ssize_t n = write(p[1], out + done, CHUNK - done);
            if (n <= 0) return NULL;
            done += n;
        }
    }
    close(p[1]);
    return arg;
}

int main(void) {
    static unsigned char buf[100000];
    pthread_t t;
    pipe(p);
    pthread_create(&t, NULL, writer, NULL);
    unsigned long total = 0, sum = 0;
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) sum += buf[i];
        total += n;
    }
    pthread_join(t, NULL);
    printf("read %lu bytes, sum %lu\n", total, sum);
    return 0;
}
