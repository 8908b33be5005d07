/*
 * build_rate.c - graph build throughput of the engine alone: reads the first N rows of an
 * .fbin file and inserts them with chnsw_add_batch on T threads (M 16, ef_construction 200,
 * inner product), printing vectors per second of wall time.
 *
 *   make -C Benchmarks/engine build_rate
 *   taskset -c 0   Benchmarks/engine/build_rate base.fbin 50000 1
 *   taskset -c 0,1 Benchmarks/engine/build_rate base.fbin 50000 2
 *   Benchmarks/engine/build_rate base.fbin 100000000 1 INDEX.chnsw   (also saves the index,
 *       for search_qps and open_time)
 *   BUILD_SEED=7 Benchmarks/engine/build_rate ...   (the level generator's seed; default the
 *       engine's, 42: the graph's quality per seed is what a construction change must hold)
 */
#define _GNU_SOURCE
#include "chnsw.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s VECTORS.fbin ROWS THREADS [OUT.chnsw]\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    uint32_t header[2];
    if (!f || fread(header, 4, 2, f) != 2) {
        fprintf(stderr, "%s: cannot read header\n", argv[1]);
        return 2;
    }
    size_t n = strtoul(argv[2], NULL, 10);
    if (n > header[0]) n = header[0];
    uint32_t dim = header[1], threads = (uint32_t)atoi(argv[3]);
    float *v = malloc(n * dim * sizeof(float));
    if (fread(v, sizeof(float) * dim, n, f) != n) {
        fprintf(stderr, "%s: truncated\n", argv[1]);
        return 2;
    }
    fclose(f);
    uint64_t *labels = malloc(n * sizeof(uint64_t));
    for (size_t i = 0; i < n; i++) labels[i] = i;
    chnsw_config c;
    chnsw_config_init(&c, dim, CHNSW_METRIC_IP);
    if (getenv("BUILD_SEED")) c.seed = strtoull(getenv("BUILD_SEED"), NULL, 10);
    chnsw_index *ix;
    chnsw_create(&c, &ix);
    struct timespec a, b, ca, cb;
    clock_gettime(CLOCK_MONOTONIC, &a);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
    chnsw_status s = chnsw_add_batch(ix, n, labels, NULL, v, dim, threads, NULL);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double secs = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    double cpu = (cb.tv_sec - ca.tv_sec) + (cb.tv_nsec - ca.tv_nsec) / 1e9;
    printf("{\"rows\":%zu,\"threads\":%u,\"build_s\":%.2f,\"build_cpu_s\":%.2f,\"vectors_per_s\":%.1f,\"status\":\"%s\"}\n",
           n, threads, secs, cpu, n / secs, chnsw_status_name(s));
    if (s == CHNSW_OK && argc > 4) s = chnsw_save(ix, argv[4]);
    if (s != CHNSW_OK) fprintf(stderr, "%s\n", chnsw_status_name(s));
    chnsw_free(ix);
    return s != CHNSW_OK;
}
