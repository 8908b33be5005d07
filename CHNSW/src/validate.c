/*
 * validate.c - input vector checks shared by inserts and searches.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
/* The portable loop below with its four partial sums as the four lanes of one vector: the same
 * products and adds in the same order (no FMA, which would round differently), so the same sum
 * bit for bit, in a quarter of the instructions. */
__attribute__((target("avx2"))) static double sum_squares_avx2(const float *v, uint32_t dim) {
    __m256d s = _mm256_setzero_pd();
    uint32_t i = 0;
    for (; i + 4 <= dim; i += 4) {
        __m256d x = _mm256_cvtps_pd(_mm_loadu_ps(v + i));
        s = _mm256_add_pd(s, _mm256_mul_pd(x, x));
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, s);
    for (; i < dim; i++) lanes[0] += (double)v[i] * v[i];
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}
#define SUM_SQUARES_AVX2 1
#endif

double chnsw_sum_squares(const float *v, uint32_t dim) {
#ifdef SUM_SQUARES_AVX2
    /* A search pays this per query (~0.4 us at 384-d in the portable loop). */
    if (__builtin_cpu_supports("avx2")) return sum_squares_avx2(v, dim);
#endif
    return chnsw_sum_squares_portable(v, dim);
}

double chnsw_sum_squares_portable(const float *v, uint32_t dim) {
    /* Four partial sums in double: no float overflow, and four independent add chains instead
     * of one. */
    double s[4] = {0, 0, 0, 0};
    uint32_t i = 0;
    for (; i + 4 <= dim; i += 4)
        for (int j = 0; j < 4; j++) s[j] += (double)v[i + j] * v[i + j];
    for (; i < dim; i++) s[0] += (double)v[i] * v[i];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

chnsw_status chnsw_check_vector_norm(const chnsw_index *ix, const float *v, uint32_t dim, double *sq_norm) {
    if (!v) return CHNSW_ERR_INVALID_ARGUMENT;
    if (dim != ix->dim) return CHNSW_ERR_DIMENSION_MISMATCH;
    /* A NaN or infinite element makes the sum of squares NaN or infinite, and so does a sum of
     * finite squares too large for a double (none is: 65536 * FLT_MAX^2 fits): one pass checks both. */
    double norm = chnsw_sum_squares(v, dim);
    if (!isfinite(norm)) return CHNSW_ERR_NON_FINITE;
    if (ix->metric == CHNSW_METRIC_COSINE && norm == 0) return CHNSW_ERR_ZERO_VECTOR;
    if (sq_norm) *sq_norm = norm;
    return CHNSW_OK;
}

chnsw_status chnsw_check_vector(const chnsw_index *ix, const float *v, uint32_t dim) {
    return chnsw_check_vector_norm(ix, v, dim, NULL);
}

void chnsw_prepare_vector(const chnsw_index *ix, const float *v, float *out) {
    if (ix->metric != CHNSW_METRIC_COSINE) {
        memcpy(out, v, ix->dim * sizeof(float));
        return;
    }
    float scale = (float)(1.0 / sqrt(chnsw_sum_squares(v, ix->dim)));
    for (uint32_t i = 0; i < ix->dim; i++) out[i] = v[i] * scale;
}
