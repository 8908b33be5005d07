/*
 * block_q8.c - exact tenant scans that read one byte per dimension.
 *
 * A cold tenant block is bound by memory bandwidth: 1,000 rows of 384 f32 are 1.5 MB per
 * query. An int8 copy (one scale per row) is a quarter of that. Each row's approximate
 * score comes with a proven error bound, |<q,x> - scale<q,code>| <= ||q|| * bound, with
 * bound = ||x - scale*code|| plus slack for f32 rounding in both products. The rows whose
 * interval can still reach the k best are rescored from the f32 rows, best lower bound
 * first, until the next lower bound is worse than the k-th exact distance, so the result
 * is exactly what the f32 scan would return (same rows, f32 distances).
 */
#include "internal.h"
/* after internal.h, which asks for _GNU_SOURCE before any system header */
#include "block_hits.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define Q8_X86 1
#endif

/* Relative slack added to each row's bound for f32 rounding in the approximate and the
 * exact dot products (each off by at most ~dim * 2^-24 * ||q|| ||x||: 2.3e-5 at 384). */
#define ROUNDING_SLACK 1e-4f
#define CHUNK 256

/* ---- approximate scores: <q, code> over int8 codes ---- */

static float dot_q8_scalar(const float *q, const int8_t *c, size_t dim) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= dim; i += 4) {
        s0 += q[i] * c[i];
        s1 += q[i + 1] * c[i + 1];
        s2 += q[i + 2] * c[i + 2];
        s3 += q[i + 3] * c[i + 3];
    }
    for (; i < dim; i++) s0 += q[i] * c[i];
    return (s0 + s1) + (s2 + s3);
}

#ifdef Q8_X86
__attribute__((target("avx2,fma"))) static float dot_q8_avx2(const float *q, const int8_t *c, size_t dim) {
    /* Four accumulators: the FMA latency, not the loads, would bound one row otherwise. */
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= dim; i += 32) {
        __m128i b0 = _mm_loadu_si128((const __m128i *)(c + i));
        __m128i b1 = _mm_loadu_si128((const __m128i *)(c + i + 16));
        a0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b0)), _mm256_loadu_ps(q + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(b0, 8))), _mm256_loadu_ps(q + i + 8), a1);
        a2 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b1)), _mm256_loadu_ps(q + i + 16), a2);
        a3 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(b1, 8))), _mm256_loadu_ps(q + i + 24), a3);
    }
    for (; i + 8 <= dim; i += 8) {
        __m128i b = _mm_loadl_epi64((const __m128i *)(c + i));
        a0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b)), _mm256_loadu_ps(q + i), a0);
    }
    __m256 a = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    float out = _mm_cvtss_f32(s);
    for (; i < dim; i++) out += q[i] * c[i];
    return out;
}
#endif

typedef float (*dot_q8_fn)(const float *q, const int8_t *c, size_t dim);

static dot_q8_fn pick_dot_q8(void) {
#ifdef Q8_X86
    if (chnsw_kernel_supported(CHNSW_KERNEL_AVX2)) return dot_q8_avx2;
#endif
    return dot_q8_scalar;
}

/* ---- quantization ---- */

chnsw_status chnsw_quantize_block(const float *block, size_t rows, uint32_t dimension, size_t stride,
                                  int8_t *codes, float *scales, float *bounds) {
    if ((rows > 0 && (!block || !codes || !scales || !bounds)) || dimension == 0 || stride < dimension)
        return CHNSW_ERR_INVALID_ARGUMENT;
    for (size_t r = 0; r < rows; r++) {
        const float *x = block + r * stride;
        int8_t *c = codes + r * dimension;
        float peak = 0;
        for (uint32_t i = 0; i < dimension; i++) {
            if (!isfinite(x[i])) return CHNSW_ERR_NON_FINITE;
            float a = fabsf(x[i]);
            if (a > peak) peak = a;
        }
        float scale = peak > 0 ? peak / 127.0f : 1.0f;
        float inverse = 1.0f / scale;
        double err = 0, norm = 0;
        for (uint32_t i = 0; i < dimension; i++) {
            /* Round to nearest by adding and removing 1.5 * 2^23 (|v| <= ~127, default
             * rounding mode): far faster than nearbyintf, and any rounding is fine since
             * the bound below measures the actual error. */
            float v = (x[i] * inverse + 12582912.0f) - 12582912.0f;
            v = v > 127.0f ? 127.0f : v < -127.0f ? -127.0f : v;
            c[i] = (int8_t)v;
            double e = (double)x[i] - (double)scale * v;
            err += e * e;
            norm += (double)x[i] * x[i];
        }
        scales[r] = scale;
        /* Rounded up so the stored f32 bound is never below the true one. */
        bounds[r] = nextafterf((float)(sqrt(err) + ROUNDING_SLACK * sqrt(norm)), INFINITY);
    }
    return CHNSW_OK;
}

/* ---- the scan ---- */

static int by_distance(const void *a, const void *b) {
    const block_hit *x = a, *y = b;
    return block_hit_worse(*x, *y) ? 1 : block_hit_worse(*y, *x) ? -1 : 0;
}

chnsw_status chnsw_scan_block_q8(const float *block, const int8_t *codes, const float *scales, const float *bounds,
                                 size_t rows, uint32_t dimension, size_t stride, chnsw_metric metric,
                                 const float *query, uint32_t k, const uint8_t *skip, uint64_t *rows_out,
                                 float *distances, uint32_t *count) {
    if (!query || !rows_out || !distances || !count || (rows > 0 && (!block || !codes || !scales || !bounds)))
        return CHNSW_ERR_INVALID_ARGUMENT;
    if (dimension == 0 || stride < dimension) return CHNSW_ERR_INVALID_ARGUMENT;
    if (metric != CHNSW_METRIC_IP && metric != CHNSW_METRIC_COSINE) return CHNSW_ERR_INVALID_ARGUMENT;
    if (k == 0) return CHNSW_ERR_K_ZERO;
    *count = 0;
    double norm = 0;
    chnsw_status checked = block_query_check(query, dimension, metric, &norm);
    if (checked != CHNSW_OK) return checked;

    float *q = malloc((size_t)dimension * sizeof(float));
    block_hit *top = malloc((size_t)k * sizeof(block_hit));  /* k smallest upper bounds, then exact */
    block_hit *lower = malloc((rows ? rows : 1) * sizeof(block_hit)); /* each live row's lower bound */
    if (!q || !top || !lower) {
        free(q);
        free(top);
        free(lower);
        return CHNSW_ERR_OUT_OF_MEMORY;
    }
    float scale = metric == CHNSW_METRIC_COSINE ? (float)(1.0 / sqrt(norm)) : 1.0f;
    for (uint32_t i = 0; i < dimension; i++) q[i] = query[i] * scale;
    float q_norm = metric == CHNSW_METRIC_COSINE ? 1.0f : (float)sqrt(norm);
    q_norm = nextafterf(q_norm, INFINITY);

    /* Pass 1: an interval for every live row; the k-th smallest upper bound caps the answer. */
    dot_q8_fn dot_q8 = pick_dot_q8();
    size_t live = 0, n_top = 0;
    for (size_t r = 0; r < rows; r++) {
        if (block_row_skipped(skip, r)) continue;
        float approx = 1.0f - scales[r] * dot_q8(q, codes + r * dimension, dimension);
        float slack = q_norm * bounds[r];
        if (!isfinite(approx) || !(slack >= 0) || !isfinite(slack)) {
            /* A damaged scale or bound proves nothing: always rescore this row. */
            approx = 0;
            slack = INFINITY;
        }
        lower[live++] = (block_hit){approx - slack, r};
        block_hits_offer(top, &n_top, k, (block_hit){approx + slack, r});
    }
    /* Pass 2: only rows whose lower bound reaches that cap can be among the k best. */
    size_t candidates = 0;
    if (n_top == k) {
        float cap = top[0].distance;
        for (size_t i = 0; i < live; i++)
            if (lower[i].distance <= cap) lower[candidates++] = lower[i];
    } else {
        candidates = live;
    }
    qsort(lower, candidates, sizeof(block_hit), by_distance);

    /* Pass 3: exact f32 distances, best lower bound first, until none can improve the k best. */
    kernels kern;
    kernels_select(CHNSW_KERNEL_AUTO, &kern);
    size_t n = 0;
    for (size_t i = 0; i < candidates; i++) {
        if (n == k && lower[i].distance > top[0].distance) break;
        uint64_t r = lower[i].row;
        block_hits_offer(top, &n, k, (block_hit){1.0f - kern.dot(q, block + r * stride, dimension), r});
    }
    *count = (uint32_t)n;
    block_hits_drain(top, n, rows_out, distances);
    free(q);
    free(top);
    free(lower);
    return CHNSW_OK;
}
