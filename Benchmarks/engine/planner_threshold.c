/*
 * planner_threshold.c - measures where the planner should switch from an exact scan
 * of a tenant's vectors to the filtered graph search.
 *
 * Builds one index of N vectors (384-d, clustered, unit length) holding tenants of
 * several sizes, then times per-tenant queries with the plan forced to EXACT and to
 * GRAPH, and reports p50 latency and recall@10 of each. The threshold is the largest
 * tenant size at which the exact scan is still at least as fast as the graph search.
 *
 *   make -C Benchmarks/engine planner && taskset -c 0 Benchmarks/engine/planner_threshold [N]
 */
#define _GNU_SOURCE
#include "chnsw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench_time.h"

#define DIM 384
#define QUERIES 200

static uint64_t state = 88172645463325252ULL;
static uint64_t next_u64(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}
static float gauss(void) {
    double u = ((next_u64() >> 11) + 1.0) * 0x1.0p-53, v = (next_u64() >> 11) * 0x1.0p-53;
    return (float)(sqrt(-2 * log(u)) * cos(6.283185307179586 * v));
}
int main(int argc, char **argv) {
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
    const uint32_t sizes[] = {1000, 2000, 5000, 10000, 20000, 40000};
    const int per_size = 2, nsizes = sizeof(sizes) / sizeof(sizes[0]);

    /* 64 clusters with a decaying spectrum, like embeddings. */
    float *centres = malloc(sizeof(float) * 64 * DIM);
    for (int i = 0; i < 64 * DIM; i++) centres[i] = gauss() / sqrtf(1 + (i % DIM) / 8.0f);
    float *base = malloc(sizeof(float) * n * DIM);
    for (size_t i = 0; i < n; i++) {
        const float *c = centres + (next_u64() % 64) * DIM;
        double norm = 0;
        for (int d = 0; d < DIM; d++) {
            float x = c[d] + 0.5f * gauss() / sqrtf(1 + d / 16.0f);
            base[i * DIM + d] = x;
            norm += (double)x * x;
        }
        for (int d = 0; d < DIM; d++) base[i * DIM + d] /= (float)sqrt(norm);
    }
    /* Tenants 1.. get the measured sizes (rows spread at random); tenant 0 takes the rest. */
    uint32_t *tenants = calloc(n, sizeof(uint32_t));
    uint32_t t = 1;
    for (int s = 0; s < nsizes; s++)
        for (int r = 0; r < per_size; r++, t++)
            for (uint32_t k = 0; k < sizes[s];) {
                size_t row = next_u64() % n;
                if (tenants[row]) continue;
                tenants[row] = t;
                k++;
            }
    uint64_t *labels = malloc(sizeof(uint64_t) * n);
    for (size_t i = 0; i < n; i++) labels[i] = i;

    chnsw_config config;
    chnsw_config_init(&config, DIM, CHNSW_METRIC_IP);
    chnsw_index *ix;
    if (chnsw_create(&config, &ix) != CHNSW_OK) return 1;
    double t0 = now_us();
    chnsw_status st = chnsw_add_batch(ix, n, labels, tenants, base, DIM, 2, NULL);
    if (st != CHNSW_OK) {
        fprintf(stderr, "build failed: %s\n", chnsw_status_name(st));
        return 1;
    }
    fprintf(stderr, "built %zu vectors in %.1f s (2 threads)\n", n, (now_us() - t0) / 1e6);

    printf("%-8s %-6s %10s %10s %8s\n", "tenant", "plan", "p50_us", "mean_us", "recall");
    float *queries = malloc(sizeof(float) * QUERIES * DIM);
    double lat[QUERIES];
    for (int s = 0; s < nsizes; s++) {
        uint32_t tenant = 1 + (uint32_t)s * per_size;
        for (int q = 0; q < QUERIES; q++) { /* a query near a random vector of the tenant */
            size_t row;
            do row = next_u64() % n;
            while (tenants[row] != tenant);
            for (int d = 0; d < DIM; d++) queries[q * DIM + d] = base[row * DIM + d] + 0.05f * gauss();
        }
        uint64_t truth[QUERIES][10];
        for (int plan = CHNSW_PLAN_EXACT; plan <= CHNSW_PLAN_GRAPH; plan++) {
            size_t hits = 0;
            double sum = 0;
            for (int q = 0; q < QUERIES; q++) {
                chnsw_search_params p;
                chnsw_search_params_init(&p);
                p.k = 10;
                p.ef = 64;
                p.restrict_to_tenant = 1;
                p.tenant = tenant;
                p.plan = (chnsw_plan)plan;
                uint64_t got[10];
                uint32_t count;
                double a = now_us();
                chnsw_search(ix, queries + q * DIM, DIM, &p, got, NULL, &count, NULL);
                lat[q] = now_us() - a;
                sum += lat[q];
                if (plan == CHNSW_PLAN_EXACT) memcpy(truth[q], got, sizeof(got));
                for (uint32_t i = 0; i < count; i++)
                    for (int j = 0; j < 10; j++) hits += got[i] == truth[q][j];
            }
            qsort(lat, QUERIES, sizeof(double), cmp_double);
            printf("%-8u %-6s %10.1f %10.1f %8.3f\n", sizes[s], plan == CHNSW_PLAN_EXACT ? "exact" : "graph",
                   lat[QUERIES / 2], sum / QUERIES, hits / (double)(QUERIES * 10));
        }
    }
    chnsw_free(ix);
    return 0;
}
