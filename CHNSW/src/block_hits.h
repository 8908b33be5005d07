/*
 * block_hits.h - what the block scans (block.c, block_q8.c) share: the query check, the
 * k-best heap (a max-heap of (distance, row) with the worst on top, ties going to the lower
 * row), and the tombstone bitmap test.
 */
#ifndef CHNSW_BLOCK_HITS_H
#define CHNSW_BLOCK_HITS_H

#include "chnsw.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* Checks a query (finite; non-zero for cosine) and writes its squared norm. */
static inline chnsw_status block_query_check(const float *query, uint32_t dimension, chnsw_metric metric,
                                             double *sq_norm) {
    double norm = 0;
    for (uint32_t i = 0; i < dimension; i++) {
        if (!isfinite(query[i])) return CHNSW_ERR_NON_FINITE;
        norm += (double)query[i] * query[i];
    }
    if (metric == CHNSW_METRIC_COSINE && norm == 0) return CHNSW_ERR_ZERO_VECTOR;
    *sq_norm = norm;
    return CHNSW_OK;
}

typedef struct block_hit {
    float distance;
    uint64_t row;
} block_hit;

/* Worse first: larger distance, then larger row (deterministic ties). */
static inline int block_hit_worse(block_hit a, block_hit b) {
    return a.distance > b.distance || (a.distance == b.distance && a.row > b.row);
}

/* Restores the heap below i: the worst on top, or with best_on_top the best (a min-heap). */
static inline void block_hits_sift(block_hit *h, size_t n, size_t i, int best_on_top) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && (best_on_top ? block_hit_worse(h[m], h[l]) : block_hit_worse(h[l], h[m]))) m = l;
        if (r < n && (best_on_top ? block_hit_worse(h[m], h[r]) : block_hit_worse(h[r], h[m]))) m = r;
        if (m == i) return;
        block_hit t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static inline void block_hits_sift_down(block_hit *h, size_t n, size_t i) { block_hits_sift(h, n, i, 0); }

/* Keeps the k best of everything offered; *n is the heap's size. */
static inline void block_hits_offer(block_hit *h, size_t *n, size_t k, block_hit item) {
    if (*n < k) {
        size_t i = (*n)++;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!block_hit_worse(item, h[p])) break;
            h[i] = h[p];
            i = p;
        }
        h[i] = item;
    } else if (block_hit_worse(h[0], item)) {
        h[0] = item;
        block_hits_sift_down(h, *n, 0);
    }
}

/* Drains the heap worst-first into the tails of the outputs, so they end best first. */
static inline void block_hits_drain(block_hit *h, size_t n, uint64_t *rows_out, float *distances) {
    while (n > 0) {
        rows_out[n - 1] = h[0].row;
        distances[n - 1] = h[0].distance;
        h[0] = h[--n];
        block_hits_sift_down(h, n, 0);
    }
}

/* Whether bit `row` of a tombstone bitmap (NULL = none) is set. */
static inline int block_row_skipped(const uint8_t *skip, size_t row) {
    return skip && (skip[row >> 3] >> (row & 7)) & 1u;
}

#endif /* CHNSW_BLOCK_HITS_H */
