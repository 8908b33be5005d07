/*
 * block.c - functions over caller-owned memory, for the storage layer.
 *
 * Sealed segments keep each tenant's vectors contiguous in a memory-mapped file.
 * A per-tenant search is then one exact scan of a block the index does not own:
 * chnsw_scan_block scores it row by row with the engine's distance kernels (AVX-512,
 * AVX2 or scalar, chosen once per process like the int8 scan's), chunk by chunk, and
 * keeps the best k in a small max-heap. It touches no index, so it needs no lock; the
 * storage layer also uses chnsw_crc32c to checksum its files with the engine's CRC-32C.
 *
 * Not cblas_sgemv: a user's block is a few hundred rows per segment, and OpenBLAS 0.3.21
 * (Debian 12) does not know the service's Xeon and runs its generic "Prescott" SSE kernel
 * there, which took 9 % of the service's CPU under the issue-16 mix (perf, 2026-12-07).
 * The row kernels are also what the int8 scan rescores with, so both scans now give the
 * same f32 distances.
 */
#include "internal.h" /* first: it sets the POSIX feature macros its pthread types need */

#include "block_hits.h"
#include "chnsw.h"
#include "crc32c.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_CHUNK 512

/* The distance kernels of every f32 block scan, chosen once per process (no data race). */
static pthread_once_t block_kernels_once = PTHREAD_ONCE_INIT;
static kernels block_kernels;

static void block_kernels_pick(void) { chnsw_kernels_select(CHNSW_KERNEL_AUTO, &block_kernels); }

uint32_t chnsw_crc32c(uint32_t crc, const void *data, size_t n) {
    if (!data || n == 0) return crc;
    return chnsw_crc32c_update(crc, data, n);
}

chnsw_status chnsw_scan_block(const float *block, size_t rows, uint32_t dimension, size_t stride,
                              chnsw_metric metric, const float *query, uint32_t k, const uint8_t *skip,
                              uint64_t *rows_out, float *distances, uint32_t *count) {
    if (!query || !rows_out || !distances || !count || (rows > 0 && !block)) return CHNSW_ERR_INVALID_ARGUMENT;
    if (dimension == 0 || stride < dimension || rows > (size_t)INT32_MAX || stride > (size_t)INT32_MAX)
        return CHNSW_ERR_INVALID_ARGUMENT;
    if (metric != CHNSW_METRIC_L2 && metric != CHNSW_METRIC_IP && metric != CHNSW_METRIC_COSINE)
        return CHNSW_ERR_INVALID_ARGUMENT;
    if (k == 0) return CHNSW_ERR_K_ZERO;
    *count = 0;
    double norm = 0;
    chnsw_status checked = block_query_check(query, dimension, metric, &norm);
    if (checked != CHNSW_OK) return checked;
    pthread_once(&block_kernels_once, block_kernels_pick);

    float *q = malloc((size_t)dimension * sizeof(float));
    block_hit *heap = malloc((size_t)k * sizeof(block_hit));
    float *dots = malloc(BLOCK_CHUNK * sizeof(float));
    if (!q || !heap || !dots) {
        free(q);
        free(heap);
        free(dots);
        return CHNSW_ERR_OUT_OF_MEMORY;
    }
    float scale = metric == CHNSW_METRIC_COSINE ? (float)(1.0 / sqrt(norm)) : 1.0f;
    for (uint32_t i = 0; i < dimension; i++) q[i] = query[i] * scale;

    size_t n = 0;
    for (size_t base = 0; base < rows; base += BLOCK_CHUNK) {
        size_t len = rows - base < BLOCK_CHUNK ? rows - base : BLOCK_CHUNK;
        const float *first = block + base * stride;
        if (metric == CHNSW_METRIC_L2) {
            for (size_t r = 0; r < len; r++) dots[r] = block_kernels.l2sq(first + r * stride, q, dimension);
        } else {
            for (size_t r = 0; r < len; r++) dots[r] = 1.0f - block_kernels.dot(q, first + r * stride, dimension);
        }
        for (size_t r = 0; r < len; r++) {
            if (block_row_skipped(skip, base + r)) continue;
            block_hits_offer(heap, &n, k, (block_hit){dots[r], base + r});
        }
    }
    *count = (uint32_t)n;
    block_hits_drain(heap, n, rows_out, distances);
    free(q);
    free(heap);
    free(dots);
    return CHNSW_OK;
}
