/*
 * scan.c - exact scans with BLAS.
 *
 * A small tenant is answered by scoring all its vectors: recall 1.0 and, because a
 * batch insert stores each tenant's vectors contiguously, one cblas_sgemv over a
 * strided block (lda = the node block size) instead of many short dot products.
 * Batches of queries over the whole index use cblas_sgemm. Both go through blas_loader.c,
 * which opens OpenBLAS on first use; a scan that cannot load it fails with
 * CHNSW_ERR_BLAS_UNAVAILABLE.
 */
#include "filter.h"
#include "heap.h"
#include "blas_loader.h"

#include <math.h>
#include <string.h>

/* Runs shorter than this are scored one vector at a time: BLAS call overhead dominates. */
#define BLAS_MIN_RUN 16
/* Rows scored per BLAS call, sized so the scores stay in L1. */
#define SCAN_CHUNK 512

static inline int block_stride_floats(const chnsw_index *ix) {
    return (int)(ix->block_size / sizeof(float));
}

/* Turns dot products into distances for the index's metric. */
static inline float to_distance(const chnsw_index *ix, float dot, node_id n, float q_sq_norm) {
    if (ix->metric == CHNSW_METRIC_L2) return ix->sq_norms[n] - 2.0f * dot + q_sq_norm;
    return 1.0f - dot;
}

/* Scores the contiguous run first..first+len-1 with sgemv, chunk by chunk. */
static chnsw_status scan_run(const chnsw_index *ix, const search_filter *f, const float *q, float q_sq_norm,
                             node_id first, size_t len, heap *top, size_t k) {
    float dots[SCAN_CHUNK];
    for (size_t done = 0; done < len; done += SCAN_CHUNK) {
        size_t rows = len - done < SCAN_CHUNK ? len - done : SCAN_CHUNK;
        node_id base = first + (node_id)done;
        chnsw_status status = chnsw_blas_sgemv(rows, ix->dim, node_vector(ix, base),
                                               (size_t)block_stride_floats(ix), q, dots);
        if (status != CHNSW_OK) return status;
        for (size_t i = 0; i < rows; i++) {
            node_id n = base + (node_id)i;
            if (!qualifies(ix, f, n)) continue;
            top_offer(top, k, (scored){to_distance(ix, dots[i], n, q_sq_norm), n});
        }
    }
    return CHNSW_OK;
}

chnsw_status chnsw_scan_nodes(const chnsw_index *ix, const search_filter *f, const float *q, const node_id *nodes,
                              size_t n, heap *top, size_t k, uint64_t *distances) {
    float q_sq_norm = ix->kern.dot(q, q, ix->dim);
    size_t i = 0;
    while (i < n) {
        size_t run = 1;
        while (i + run < n && nodes[i + run] == nodes[i] + run) run++;
        if (run >= BLAS_MIN_RUN) {
            chnsw_status status = scan_run(ix, f, q, q_sq_norm, nodes[i], run, top, k);
            if (status != CHNSW_OK) return status;
        } else {
            for (size_t j = i; j < i + run; j++) {
                node_id node = nodes[j];
                if (!qualifies(ix, f, node)) continue;
                top_offer(top, k, (scored){ix_distance(ix, q, node_vector(ix, node)), node});
            }
        }
        i += run;
    }
    *distances += n;
    return CHNSW_OK;
}

chnsw_status chnsw_scan_all(const chnsw_index *ix, const search_filter *f, const float *q, heap *top, size_t k,
                            uint64_t *distances) {
    if (ix->count == 0) return CHNSW_OK;
    chnsw_status status = scan_run(ix, f, q, ix->kern.dot(q, q, ix->dim), 0, ix->count, top, k);
    if (status == CHNSW_OK) *distances += ix->count;
    return status;
}

/* ---- batches of queries ---- */

chnsw_status chnsw_search_exact_batch(chnsw_index *ix, const float *queries, size_t nq, uint32_t dimension,
                                      uint32_t k, uint64_t *labels, float *distances) {
    if (!ix || !queries || !labels || !distances) return CHNSW_ERR_INVALID_ARGUMENT;
    if (dimension != ix->dim) return CHNSW_ERR_DIMENSION_MISMATCH;
    if (k == 0) return CHNSW_ERR_K_ZERO;
    if (nq == 0) return CHNSW_OK;
    for (size_t i = 0; i < nq; i++) {
        chnsw_status s = chnsw_check_vector(ix, queries + i * dimension, dimension);
        if (s != CHNSW_OK) return s;
    }
    pthread_rwlock_rdlock(&ix->rwlock);
    chnsw_status status = CHNSW_OK;
    if (ix->live_count == 0) status = CHNSW_ERR_EMPTY_INDEX;
    else if (k > ix->live_count) status = CHNSW_ERR_K_EXCEEDS_COUNT;
    if (status != CHNSW_OK) {
        pthread_rwlock_unlock(&ix->rwlock);
        return status;
    }

    const size_t chunk = 2048;
    float *prepared = chnsw_ix_alloc(ix, nq * ix->dim * sizeof(float));
    float *q_norms = chnsw_ix_alloc(ix, nq * sizeof(float));
    float *dots = chnsw_ix_alloc(ix, nq * chunk * sizeof(float));
    heap *tops = chnsw_ix_calloc(ix, nq, sizeof(heap));
    bool ok = prepared && q_norms && dots && tops;
    for (size_t i = 0; ok && i < nq; i++) ok = heap_reserve(ix, &tops[i], (size_t)k + 1);
    if (!ok) status = CHNSW_ERR_OUT_OF_MEMORY;
    if (ok) {
        search_filter none = {0};
        for (size_t i = 0; i < nq; i++) {
            chnsw_prepare_vector(ix, queries + i * ix->dim, prepared + i * ix->dim);
            q_norms[i] = ix->kern.dot(prepared + i * ix->dim, prepared + i * ix->dim, ix->dim);
        }
        for (size_t base = 0; ok && base < ix->count; base += chunk) {
            size_t rows = ix->count - base < chunk ? ix->count - base : chunk;
            /* dots (nq x rows) = queries (nq x dim) * block^T (dim x rows) */
            status = chnsw_blas_sgemm_nt(nq, rows, ix->dim, prepared, ix->dim, node_vector(ix, (node_id)base),
                                         (size_t)block_stride_floats(ix), dots);
            ok = status == CHNSW_OK;
            for (size_t qi = 0; ok && qi < nq; qi++)
                for (size_t r = 0; r < rows; r++) {
                    node_id n = (node_id)(base + r);
                    if (!qualifies(ix, &none, n)) continue;
                    top_offer(&tops[qi], k, (scored){to_distance(ix, dots[qi * rows + r], n, q_norms[qi]), n});
                }
        }
        scored sorted_buf[1024];
        for (size_t qi = 0; ok && qi < nq; qi++) {
            scored *sorted = k <= 1024 ? sorted_buf : chnsw_ix_alloc(ix, (size_t)k * sizeof(scored));
            if (!sorted) {
                ok = false;
                status = CHNSW_ERR_OUT_OF_MEMORY;
                break;
            }
            size_t got = max_heap_drain_sorted(&tops[qi], sorted);
            for (size_t j = 0; j < k; j++) {
                labels[qi * k + j] = j < got ? ix->labels[sorted[j].node] : UINT64_MAX;
                distances[qi * k + j] = j < got ? sorted[j].distance : INFINITY;
            }
            if (sorted != sorted_buf) chnsw_ix_free(ix, sorted);
        }
    }
    if (tops)
        for (size_t i = 0; i < nq; i++) heap_release(ix, &tops[i]);
    chnsw_ix_free(ix, tops);
    chnsw_ix_free(ix, dots);
    chnsw_ix_free(ix, q_norms);
    chnsw_ix_free(ix, prepared);
    pthread_rwlock_unlock(&ix->rwlock);
    return status;
}
