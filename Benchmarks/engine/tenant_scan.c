/*
 * tenant_scan.c - where the time of a per-tenant exact scan goes, engine only.
 *
 *   tenant_scan DATA_DIR [queries=1000] [rounds=2] [huge]
 *
 * DATA_DIR is a bench-data set (base.fbin, tenants.u32bin, queries.fbin,
 * query-tenants.u32bin, gt-tenant.ibin). The base rows are regrouped by tenant into one
 * contiguous array, as a sealed segment stores them, and each query scans its tenant's
 * block with:
 *   f32      chnsw_scan_block (cblas_sgemv over the block; what the storage layer used)
 *   f32-simd the engine's AVX2 dot kernel row by row (no BLAS call)
 *   q8       chnsw_scan_block_q8 (int8 codes, exact f32 rerank of the candidates)
 * Queries go in file order, so consecutive queries hit different tenants and each block
 * is cold in the caches (1,000 tenants x 1.5 MB >> L3); "warm" repeats each query at once.
 * Prints one JSON line per method and round: p50/p99/mean microseconds (wall clock of the
 * call), recall@10 against the exact per-tenant ground truth, and the load average.
 * With `huge`, the regrouped rows and the int8 codes live in memory advised for transparent
 * huge pages (MADV_HUGEPAGE), so the scans see 2 MiB pages instead of 4 KiB ones.
 */
#define _GNU_SOURCE
#include "../../CHNSW/src/internal.h"

#include <sys/mman.h>

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "bench_time.h"

static void *map_file(const char *dir, const char *name, size_t *size) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "tenant_scan: cannot open %s\n", path);
        exit(2);
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) exit(2);
    *size = (size_t)st.st_size;
    return p;
}

typedef struct tenant_data {
    float *rows;        /* grouped by tenant */
    int8_t *codes;
    float *scales, *bounds;
    uint32_t *original; /* grouped row -> base row */
    size_t *first;      /* tenant -> first grouped row; first[t + 1] - first[t] rows */
    uint32_t dim;
} tenant_data;

/* A plain AVX2 scan: one dot product per row, top k by a sorted insertion. */
static void scan_simd(const kernels *kern, const float *block, size_t rows, uint32_t dim, const float *q, uint32_t k,
                      uint64_t *out, float *dist, uint32_t *count) {
    uint32_t n = 0;
    for (size_t r = 0; r < rows; r++) {
        float d = 1.0f - kern->dot(q, block + r * dim, dim);
        if (n == k && d >= dist[k - 1]) continue;
        uint32_t i = n < k ? n++ : k - 1;
        while (i > 0 && dist[i - 1] > d) {
            dist[i] = dist[i - 1];
            out[i] = out[i - 1];
            i--;
        }
        dist[i] = d;
        out[i] = r;
    }
    *count = n;
}

/* `bytes` of memory: from malloc, or (huge) an anonymous mapping advised for huge pages. */
static void *bench_alloc(size_t bytes, bool huge) {
    if (!huge) return malloc(bytes);
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    (void)madvise(p, bytes, MADV_HUGEPAGE);
    return p;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: tenant_scan DATA_DIR [queries] [rounds]\n");
        return 2;
    }
    const char *dir = argv[1];
    size_t nq = argc > 2 ? (size_t)atol(argv[2]) : 1000;
    int rounds = argc > 3 ? atoi(argv[3]) : 2;
    bool huge = argc > 4 && strcmp(argv[4], "huge") == 0;
    size_t sz;
    const uint32_t *base = map_file(dir, "base.fbin", &sz);
    const uint32_t *tenants = map_file(dir, "tenants.u32bin", &sz);
    const uint32_t *queries = map_file(dir, "queries.fbin", &sz);
    const uint32_t *qtenants = map_file(dir, "query-tenants.u32bin", &sz);
    const int32_t *gt = map_file(dir, "gt-tenant.ibin", &sz);
    size_t n = base[0];
    uint32_t dim = base[1];
    if (nq > queries[0]) nq = queries[0];
    size_t gt_k = (size_t)gt[1];
    const float *vectors = (const float *)(base + 2);
    const float *qv = (const float *)(queries + 2);

    uint32_t nt = 0;
    for (size_t i = 0; i < n; i++)
        if (tenants[2 + i] + 1 > nt) nt = tenants[2 + i] + 1;
    tenant_data td = {.dim = dim};
    td.first = calloc(nt + 1, sizeof(size_t));
    for (size_t i = 0; i < n; i++) td.first[tenants[2 + i] + 1]++;
    for (uint32_t t = 0; t < nt; t++) td.first[t + 1] += td.first[t];
    td.rows = bench_alloc(n * dim * sizeof(float), huge);
    td.original = malloc(n * sizeof(uint32_t));
    size_t *fill = malloc(nt * sizeof(size_t));
    memcpy(fill, td.first, nt * sizeof(size_t));
    for (size_t i = 0; i < n; i++) {
        size_t g = fill[tenants[2 + i]]++;
        memcpy(td.rows + g * dim, vectors + i * dim, dim * sizeof(float));
        td.original[g] = (uint32_t)i;
    }
    td.codes = bench_alloc(n * dim, huge);
    td.scales = malloc(n * sizeof(float));
    td.bounds = malloc(n * sizeof(float));
    double tq = now_us();
    if (chnsw_quantize_block(td.rows, n, dim, dim, td.codes, td.scales, td.bounds) != CHNSW_OK) return 1;
    fprintf(stderr, "tenant_scan: %zu rows, %u tenants, quantized in %.0f ms\n", n, nt, (now_us() - tq) / 1e3);

    kernels kern;
    kernels_select(CHNSW_KERNEL_AUTO, &kern);
    const char *methods[] = {"f32", "f32-simd", "q8"};
    double *lat = malloc(nq * sizeof(double));
    enum { K = 10 };
    for (int round = 0; round < rounds; round++)
        for (int warm = 0; warm < 2; warm++)
            for (int m = 0; m < 3; m++) {
                size_t hits = 0, wanted = 0;
                double sum = 0;
                for (size_t i = 0; i < nq; i++) {
                    uint32_t t = qtenants[2 + i];
                    size_t first = td.first[t], rows = td.first[t + 1] - first;
                    const float *block = td.rows + first * dim;
                    const float *q = qv + i * dim;
                    uint64_t out[K];
                    float dist[K];
                    uint32_t count = 0;
                    double t0 = 0;
                    for (int rep = 0; rep <= warm; rep++) {
                        t0 = now_us();
                        if (m == 0)
                            chnsw_scan_block(block, rows, dim, dim, CHNSW_METRIC_IP, q, K, NULL, out, dist, &count);
                        else if (m == 1)
                            scan_simd(&kern, block, rows, dim, q, K, out, dist, &count);
                        else
                            chnsw_scan_block_q8(block, td.codes + first * dim, td.scales + first, td.bounds + first,
                                                rows, dim, dim, CHNSW_METRIC_IP, q, K, NULL, out, dist, &count);
                    }
                    lat[i] = now_us() - t0;
                    sum += lat[i];
                    for (uint32_t a = 0; a < count; a++)
                        for (size_t b = 0; b < K && b < gt_k; b++)
                            if ((int32_t)td.original[first + out[a]] == gt[2 + i * gt_k + b]) hits++;
                    wanted += K;
                }
                qsort(lat, nq, sizeof(double), cmp_double);
                double load[1] = {0};
                getloadavg(load, 1);
                printf("{\"method\":\"%s\",\"cache\":\"%s\",\"round\":%d,\"queries\":%zu,\"p50_us\":%.1f,\"p99_us\":%.1f,"
                       "\"mean_us\":%.1f,\"recall\":%.4f,\"load\":%.2f}\n",
                       methods[m], warm ? "warm" : "cold", round, nq, lat[nq / 2], lat[nq * 99 / 100], sum / nq,
                       (double)hits / wanted, load[0]);
                fflush(stdout);
            }
    return 0;
}
