/*
 * search_qps.c - recall@10 and single-thread QPS of a saved index over an ef sweep.
 * Used to A/B engine changes without the CLI in the loop.
 *
 *   make -C Benchmarks/engine search
 *   taskset -c 0 Benchmarks/engine/search_qps INDEX.chnsw QUERIES.fbin GT.ibin [ef...]
 */
#define _GNU_SOURCE
#include "bench_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s INDEX QUERIES.fbin GT.ibin [ef...]\n", argv[0]);
        return 2;
    }
    chnsw_index *ix = load_index(argv[1]);
    uint32_t nq, dim, gq, gk;
    float *queries = read_bin(argv[2], &nq, &dim);
    int32_t *gt = read_bin(argv[3], &gq, &gk);
    int default_efs[] = {16, 24, 32, 64};
    int nef = argc > 4 ? argc - 4 : 4;
    for (int e = 0; e < nef; e++) {
        int ef = argc > 4 ? atoi(argv[4 + e]) : default_efs[e];
        chnsw_search_params p;
        chnsw_search_params_init(&p);
        p.k = 10;
        p.ef = (uint32_t)ef;
        size_t hits = 0;
        uint64_t distances = 0;
        struct timespec a, b, ca, cb;
        clock_gettime(CLOCK_MONOTONIC, &a);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ca);
        for (uint32_t q = 0; q < nq; q++) {
            uint64_t got[10];
            uint32_t count;
            chnsw_search_stats stats;
            chnsw_search(ix, queries + (size_t)q * dim, dim, &p, got, NULL, &count, &stats);
            distances += stats.distance_count;
            for (uint32_t i = 0; i < count; i++)
                for (int j = 0; j < 10; j++) hits += (int64_t)got[i] == gt[(size_t)q * gk + j];
        }
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cb);
        clock_gettime(CLOCK_MONOTONIC, &b);
        double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
        double cpu = (cb.tv_sec - ca.tv_sec) + (cb.tv_nsec - ca.tv_nsec) / 1e9;
        /* On a shared machine, queries per CPU-second is steadier than wall-clock QPS. */
        printf("ef %4d  recall@10 %.4f  qps %8.1f  qps_cpu %8.1f  distances/query %.0f\n", ef, hits / (10.0 * nq),
               nq / s, nq / cpu, (double)distances / nq);
    }
    chnsw_free(ix);
    return 0;
}
