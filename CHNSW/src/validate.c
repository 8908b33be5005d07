/*
 * validate.c - input vector checks shared by inserts and searches.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

double chnsw_sum_squares(const float *v, uint32_t dim) {
    /* Four partial sums in double: no float overflow, and four independent add chains instead
     * of one (a search pays this per query). */
    double s[4] = {0, 0, 0, 0};
    uint32_t i = 0;
    for (; i + 4 <= dim; i += 4)
        for (int j = 0; j < 4; j++) s[j] += (double)v[i + j] * v[i + j];
    for (; i < dim; i++) s[0] += (double)v[i] * v[i];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

chnsw_status chnsw_check_vector(const chnsw_index *ix, const float *v, uint32_t dim) {
    if (!v) return CHNSW_ERR_INVALID_ARGUMENT;
    if (dim != ix->dim) return CHNSW_ERR_DIMENSION_MISMATCH;
    /* A NaN or infinite element makes the sum of squares NaN or infinite, and so does a sum of
     * finite squares too large for a double (none is: 65536 * FLT_MAX^2 fits): one pass checks both. */
    double norm = chnsw_sum_squares(v, dim);
    if (!isfinite(norm)) return CHNSW_ERR_NON_FINITE;
    if (ix->metric == CHNSW_METRIC_COSINE && norm == 0) return CHNSW_ERR_ZERO_VECTOR;
    return CHNSW_OK;
}

void chnsw_prepare_vector(const chnsw_index *ix, const float *v, float *out) {
    if (ix->metric != CHNSW_METRIC_COSINE) {
        memcpy(out, v, ix->dim * sizeof(float));
        return;
    }
    float scale = (float)(1.0 / sqrt(chnsw_sum_squares(v, ix->dim)));
    for (uint32_t i = 0; i < ix->dim; i++) out[i] = v[i] * scale;
}
