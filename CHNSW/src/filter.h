/*
 * filter.h - which nodes a search may return.
 */
#ifndef CHNSW_FILTER_H
#define CHNSW_FILTER_H

#include "internal.h"

/* Everything declared below is internal to the library: hidden from its users (only the chnsw_*
 * functions of include/ are exported; `make -C CHNSW check-symbols` checks it). */
#pragma GCC visibility push(hidden)

typedef struct search_filter {
    bool by_tenant;
    uint32_t tenant;
    const uint64_t *allow_bits;   /* bitset over node ids, or NULL */
    chnsw_predicate predicate;
    void *predicate_context;
} search_filter;

static inline bool filter_is_active(const search_filter *f) {
    return f->by_tenant || f->allow_bits || f->predicate;
}

/* A node qualifies when it is live and passes every condition of the filter. */
static inline bool qualifies(const chnsw_index *ix, const search_filter *f, node_id n) {
    if (ix->removed[n]) return false;
    if (f->by_tenant && ix->tenants[n] != f->tenant) return false;
    if (f->allow_bits && !((f->allow_bits[n >> 6] >> (n & 63)) & 1)) return false;
    if (f->predicate && !f->predicate(ix->labels[n], ix->tenants[n], f->predicate_context)) return false;
    return true;
}

/* ---- exact scans (scan.c) ---- */

/*
 * Scores nodes[0..n) (ascending ids) against q and offers each qualifying one to the
 * bounded max-heap `top` of size k. Runs of consecutive ids (a tenant's contiguous block)
 * go through cblas_sgemv; stragglers through the SIMD kernel.
 * Adds the number of distances computed to *distances. CHNSW_OK, or CHNSW_ERR_BLAS_UNAVAILABLE
 * when a run needs OpenBLAS and it cannot be loaded (`top` then holds part of the answer).
 */
chnsw_status chnsw_scan_nodes(const chnsw_index *ix, const search_filter *f, const float *q, const node_id *nodes,
                              size_t n, heap *top, size_t k, uint64_t *distances);

/* As chnsw_scan_nodes, over every node of the index. */
chnsw_status chnsw_scan_all(const chnsw_index *ix, const search_filter *f, const float *q, heap *top, size_t k,
                            uint64_t *distances);

#pragma GCC visibility pop

#endif /* CHNSW_FILTER_H */
