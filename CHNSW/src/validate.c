/*
 * validate.c - input vector checks shared by inserts and searches.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

chnsw_status check_vector(const chnsw_index *ix, const float *v, uint32_t dim) {
    if (!v) return CHNSW_ERR_INVALID_ARGUMENT;
    if (dim != ix->dim) return CHNSW_ERR_DIMENSION_MISMATCH;
    double norm = 0;
    for (uint32_t i = 0; i < dim; i++) {
        if (!isfinite(v[i])) return CHNSW_ERR_NON_FINITE;
        norm += (double)v[i] * v[i];
    }
    /* The sum of squares of finite floats can still overflow a float, not a double. */
    if (!isfinite(norm)) return CHNSW_ERR_NON_FINITE;
    if (ix->metric == CHNSW_METRIC_COSINE && norm == 0) return CHNSW_ERR_ZERO_VECTOR;
    return CHNSW_OK;
}

void prepare_vector(const chnsw_index *ix, const float *v, float *out) {
    if (ix->metric != CHNSW_METRIC_COSINE) {
        memcpy(out, v, ix->dim * sizeof(float));
        return;
    }
    double norm = 0;
    for (uint32_t i = 0; i < ix->dim; i++) norm += (double)v[i] * v[i];
    float scale = (float)(1.0 / sqrt(norm));
    for (uint32_t i = 0; i < ix->dim; i++) out[i] = v[i] * scale;
}
