/* Floating point: n-body simulation (sqrt, division), dense matrix multiply, and a
 * Newton iteration. Only IEEE-exact operations (+ - * / sqrt, no fused multiply-add:
 * built with -ffp-contract=off) so results match bit for bit across ISAs.
 * Usage: float [scale]. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NB 5
typedef struct { double x, y, z, vx, vy, vz, m; } body_t;

static double nbody(int steps) {
    body_t b[NB];
    for (int i = 0; i < NB; i++) {
        b[i] = (body_t){i * 1.5, i * -0.7 + 0.3, i * 0.25, 0.01 * i, -0.02 * i, 0.005, 1.0 + i * 0.1};
    }
    const double dt = 0.001;
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < NB; i++)
            for (int j = i + 1; j < NB; j++) {
                double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
                double d2 = dx * dx + dy * dy + dz * dz + 0.01;
                double mag = dt / (d2 * sqrt(d2));
                b[i].vx -= dx * b[j].m * mag; b[i].vy -= dy * b[j].m * mag; b[i].vz -= dz * b[j].m * mag;
                b[j].vx += dx * b[i].m * mag; b[j].vy += dy * b[i].m * mag; b[j].vz += dz * b[i].m * mag;
            }
        for (int i = 0; i < NB; i++) {
            b[i].x += dt * b[i].vx; b[i].y += dt * b[i].vy; b[i].z += dt * b[i].vz;
        }
    }
    double e = 0;
    for (int i = 0; i < NB; i++)
        e += 0.5 * b[i].m * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz) + b[i].x;
    return e;
}

static double matmul(int n, int reps) {
    double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n),
           *c = malloc(sizeof(double) * n * n);
    for (int i = 0; i < n * n; i++) { a[i] = (i % 17) * 0.125 - 1.0; b[i] = (i % 13) * 0.0625 + 0.5; }
    double sum = 0;
    for (int r = 0; r < reps; r++) {
        memset(c, 0, sizeof(double) * n * n);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++) {
                double aik = a[i * n + k];
                for (int j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
            }
        for (int i = 0; i < n * n; i++) sum += c[i];
        a[r % (n * n)] += 0.5;
    }
    free(a); free(b); free(c);
    return sum;
}

static double newton(int iters) {
    double acc = 0;
    for (int i = 1; i <= iters; i++) {
        double v = i * 1.25, x = v;
        for (int k = 0; k < 8; k++) x = 0.5 * (x + v / x);
        acc += x - sqrt(v) + (float)(x * 0.001f);
    }
    return acc;
}

int main(int argc, char **argv) {
    int scale = argc > 1 ? atoi(argv[1]) : 1;
    double e = nbody(120000 * scale);
    double m = matmul(120, 8 * scale);
    double t = newton(300000 * scale);
    uint64_t be, bm, bt;
    memcpy(&be, &e, 8); memcpy(&bm, &m, 8); memcpy(&bt, &t, 8);
    printf("nbody %.9e matmul %.9e newton %.9e\n", e, m, t);
    printf("checksum %016llx\n", (unsigned long long)(be ^ (bm * 3) ^ (bt * 7)));
    return 0;
}
