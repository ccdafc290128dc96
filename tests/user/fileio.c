#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
    char dir[] = "/tmp/xlate-fileio-XXXXXX";
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    char path[256];
    snprintf(path, sizeof path, "%s/data.txt", dir);
    FILE *f = fopen(path, "w");
    if (!f) { perror("fopen"); return 1; }
    for (int i = 0; i < 100; i++)
        fprintf(f, "line %d\n", i);
    fclose(f);

    struct stat st;
    if (stat(path, &st) != 0) { perror("stat"); return 1; }
    printf("size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));

    int fd = open(path, O_RDONLY);
    if (fd < 0) { perror("open"); return 1; }
    char buf[64] = {0};
    lseek(fd, 7, SEEK_SET);
    ssize_t n = read(fd, buf, 14);
    printf("read %zd: %.*s", n, (int)n, buf);
    n = pread(fd, buf, 6, 0);
    printf("pread %zd: %.6s\n", n, buf);
    if (fstat(fd, &st) != 0) { perror("fstat"); return 1; }
    printf("fstat size %lld\n", (long long)st.st_size);
    close(fd);

    f = fopen(path, "r");
    int lines = 0;
    char line[64];
    while (fgets(line, sizeof line, f))
        lines++;
    fclose(f);
    printf("lines %d\n", lines);

    char sub[256];
    snprintf(sub, sizeof sub, "%s/subdir", dir);
    mkdir(sub, 0755);
    snprintf(line, sizeof line, "%s/b.txt", dir);
    close(open(line, O_CREAT | O_WRONLY, 0644));
    DIR *d = opendir(dir);
    if (!d) { perror("opendir"); return 1; }
    char *names[16];
    int k = 0;
    struct dirent *e;
    while ((e = readdir(d)) && k < 16)
        names[k++] = strdup(e->d_name);
    closedir(d);
    qsort(names, k, sizeof names[0], cmp);
    for (int i = 0; i < k; i++)
        printf("entry %s\n", names[i]);

    int p[2];
    if (pipe(p) != 0) { perror("pipe"); return 1; }
    write(p[1], "through a pipe\n", 15);
    n = read(p[0], buf, sizeof buf);
    printf("%.*s", (int)n, buf);

    unlink(path);
    unlink(line);
    rmdir(sub);
    if (rmdir(dir) != 0) { perror("rmdir"); return 1; }
    printf("cleanup ok, exists %d\n", access(dir, F_OK) == 0);
    char cwd[512];
    printf("getcwd %s\n", getcwd(cwd, sizeof cwd) ? "ok" : "failed");
    return 0;
}
