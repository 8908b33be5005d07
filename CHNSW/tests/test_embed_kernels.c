/*
 * test_embed_kernels.c - the encoder kernels (chnsw_embed.h) against plain references: every
 * kernel this CPU supports, random shapes with remainders (rows not a multiple of the row tile,
 * columns not a multiple of 16, inputs not a multiple of 4), accumulation and bias, and refusals.
 */
#include "harness.h"

#include "chnsw_embed.h"

#include <stdint.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static double uniform(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}
static size_t below(size_t limit) { return (size_t)(uniform() * (double)limit); }
static void fill(float *x, size_t count) {
    for (size_t i = 0; i < count; i++) x[i] = (float)(uniform() * 2 - 1);
}

static const chnsw_embed_kernel KERNELS[] = {CHNSW_EMBED_KERNEL_SCALAR, CHNSW_EMBED_KERNEL_AVX2,
                                             CHNSW_EMBED_KERNEL_AVX512, CHNSW_EMBED_KERNEL_AUTO};

static void random_shape(size_t *m, size_t *n, size_t *k) {
    static const size_t big_m[] = {1, 6, 11, 64, 137};
    *m = uniform() < 0.3 ? big_m[below(5)] : 1 + below(40);
    *n = 1 + below(80);
    *k = 1 + below(uniform() < 0.2 ? 3000 : 120);
}

static void test_f32_gemm_matches_reference(void) {
    for (int trial = 0; trial < 60; trial++) {
        size_t m, n, k;
        random_shape(&m, &n, &k);
        size_t lda = k + below(3), ldc = n + below(3);
        float *a = malloc(m * lda * sizeof(float)), *w = malloc(n * k * sizeof(float));
        float *bias = malloc(n * sizeof(float)), *c0 = malloc(m * ldc * sizeof(float));
        float *c = malloc(m * ldc * sizeof(float));
        float *packed = malloc(chnsw_f32_packed_count(n, k) * sizeof(float));
        fill(a, m * lda);
        fill(w, n * k);
        fill(bias, n);
        fill(c0, m * ldc);
        CHECK_STATUS(chnsw_f32_pack(w, n, k, packed), CHNSW_OK);
        int accumulate = trial % 2;
        for (size_t e = 0; e < sizeof KERNELS / sizeof KERNELS[0]; e++) {
            if (!chnsw_embed_kernel_supported(KERNELS[e], 0)) continue;
            memcpy(c, c0, m * ldc * sizeof(float));
            CHECK_STATUS(chnsw_f32_gemm(KERNELS[e], m, n, k, a, lda, packed, trial % 3 ? bias : NULL, accumulate, c,
                                        ldc),
                         CHNSW_OK);
            int bad = 0;
            for (size_t i = 0; i < m; i++) {
                for (size_t j = 0; j < n; j++) {
                    double want = (accumulate ? c0[i * ldc + j] : 0) + (trial % 3 ? bias[j] : 0);
                    for (size_t kk = 0; kk < k; kk++) want += (double)a[i * lda + kk] * w[j * k + kk];
                    if (fabs(c[i * ldc + j] - want) > 1e-4 * (1 + sqrt((double)k))) bad++;
                }
                /* Padding columns of c beyond n must be untouched. */
                for (size_t j = n; j < ldc; j++) bad += c[i * ldc + j] != c0[i * ldc + j];
            }
            if (bad) fprintf(stderr, "f32 kernel %d m=%zu n=%zu k=%zu: %d wrong\n", KERNELS[e], m, n, k, bad);
            CHECK(bad == 0);
        }
        free(a), free(w), free(bias), free(c0), free(c), free(packed);
    }
}

/* Block-scaled weights: every kernel against the double-precision product of the expanded matrix,
 * rows 1..40 (blocks of 8 split evenly), columns with remainders, k a multiple of 32. */
static void test_f32q_gemm_matches_reference(void) {
    for (int trial = 0; trial < 60; trial++) {
        size_t m, n, k;
        random_shape(&m, &n, &k);
        k = CHNSW_F32Q_BLOCK * (1 + k / 40);
        size_t lda = k + below(3), ldc = n + below(3), blocks = k / CHNSW_F32Q_BLOCK;
        float *a = malloc(m * lda * sizeof(float)), *scales = malloc(n * blocks * sizeof(float));
        float *bias = malloc(n * sizeof(float)), *c0 = malloc(m * ldc * sizeof(float));
        float *c = malloc(m * ldc * sizeof(float)), *pscales = malloc(chnsw_f32q_packed_scales(n, k) * sizeof(float));
        int8_t *codes = malloc(n * k), *packed = malloc(chnsw_f32q_packed_codes(n, k));
        fill(a, m * lda);
        fill(bias, n);
        fill(c0, m * ldc);
        for (size_t i = 0; i < n * k; i++) codes[i] = (int8_t)((int)below(16) - 8);
        for (size_t i = 0; i < n * blocks; i++) scales[i] = (float)(uniform() * 0.1);
        CHECK_STATUS(chnsw_f32q_pack(codes, scales, n, k, packed, pscales), CHNSW_OK);
        int accumulate = trial % 2;
        for (size_t e = 0; e < sizeof KERNELS / sizeof KERNELS[0]; e++) {
            if (!chnsw_embed_kernel_supported(KERNELS[e], 0)) continue;
            memcpy(c, c0, m * ldc * sizeof(float));
            CHECK_STATUS(chnsw_f32q_gemm(KERNELS[e], m, n, k, a, lda, packed, pscales, trial % 3 ? bias : NULL,
                                         accumulate, c, ldc),
                         CHNSW_OK);
            int bad = 0;
            for (size_t i = 0; i < m; i++) {
                for (size_t j = 0; j < n; j++) {
                    double want = (accumulate ? c0[i * ldc + j] : 0) + (trial % 3 ? bias[j] : 0);
                    for (size_t kk = 0; kk < k; kk++)
                        want += (double)a[i * lda + kk] * ((double)codes[j * k + kk] * scales[j * blocks + kk / 32]);
                    if (fabs(c[i * ldc + j] - want) > 1e-4 * (1 + sqrt((double)k))) bad++;
                }
                for (size_t j = n; j < ldc; j++) bad += c[i * ldc + j] != c0[i * ldc + j];
            }
            if (bad) fprintf(stderr, "f32q kernel %d m=%zu n=%zu k=%zu: %d wrong\n", KERNELS[e], m, n, k, bad);
            CHECK(bad == 0);
        }
        free(a), free(scales), free(bias), free(c0), free(c), free(pscales), free(codes), free(packed);
    }
}

static void test_s8_kernels_agree_and_match_dequantised(void) {
    for (int trial = 0; trial < 60; trial++) {
        size_t m, n, k;
        random_shape(&m, &n, &k);
        size_t lda = k + below(3), ldc = n + below(3), ldq = chnsw_s8_row_stride(k) + 64 * below(2);
        float *a = malloc(m * lda * sizeof(float)), *w = malloc(n * k * sizeof(float));
        float *bias = malloc(n * sizeof(float)), *c0 = malloc(m * ldc * sizeof(float));
        float *c = malloc(m * ldc * sizeof(float)), *ref = malloc(m * ldc * sizeof(float));
        float *wscale = malloc(n * sizeof(float)), *ascale = malloc(m * sizeof(float));
        int32_t *sums = malloc(n * sizeof(int32_t));
        int8_t *packed = malloc(chnsw_s8_packed_count(n, k)), *q = malloc(m * ldq);
        fill(a, m * lda);
        fill(w, n * k);
        fill(bias, n);
        fill(c0, m * ldc);
        if (trial == 3) memset(a, 0, lda * sizeof(float)); /* an all-zero row: scale 0 */
        CHECK_STATUS(chnsw_s8_pack(w, n, k, packed, wscale, sums), CHNSW_OK);
        memset(q, 0x55, m * ldq);
        CHECK_STATUS(chnsw_s8_quantize_rows(CHNSW_EMBED_KERNEL_SCALAR, m, k, a, lda, q, ldq, ascale), CHNSW_OK);
        int padding = 0;
        for (size_t i = 0; i < m; i++)
            for (size_t kk = k; kk < ldq; kk++) padding += q[i * ldq + kk] != 0;
        CHECK(padding == 0);
        /* Every kernel's quantiser writes the scalar one's codes, padding and scales, bit for bit. */
        for (size_t e = 1; e < sizeof KERNELS / sizeof KERNELS[0]; e++) {
            if (!chnsw_embed_kernel_supported(KERNELS[e], 0)) continue;
            int8_t *q2 = malloc(m * ldq);
            float *scale2 = malloc(m * sizeof(float));
            memset(q2, 0x55, m * ldq);
            CHECK_STATUS(chnsw_s8_quantize_rows(KERNELS[e], m, k, a, lda, q2, ldq, scale2), CHNSW_OK);
            CHECK(memcmp(q2, q, m * ldq) == 0);
            CHECK(memcmp(scale2, ascale, m * sizeof(float)) == 0);
            free(q2), free(scale2);
        }
        int accumulate = trial % 2;
        const float *b = trial % 3 ? bias : NULL;
        memcpy(ref, c0, m * ldc * sizeof(float));
        CHECK_STATUS(chnsw_s8_gemm(CHNSW_EMBED_KERNEL_SCALAR, m, n, k, q, ldq, ascale, packed, wscale, sums, b,
                                   accumulate, ref, ldc),
                     CHNSW_OK);
        /* The scalar kernel against the float product: quantisation error only (~1 % here). */
        double worst = 0;
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++) {
                double want = (accumulate ? c0[i * ldc + j] : 0) + (b ? b[j] : 0);
                for (size_t kk = 0; kk < k; kk++) want += (double)a[i * lda + kk] * w[j * k + kk];
                double err = fabs(ref[i * ldc + j] - want) / (1 + sqrt((double)k));
                if (err > worst) worst = err;
            }
        CHECK(worst < 0.02);
        for (size_t e = 1; e < sizeof KERNELS / sizeof KERNELS[0]; e++) {
            if (!chnsw_embed_kernel_supported(KERNELS[e], 1)) continue;
            memcpy(c, c0, m * ldc * sizeof(float));
            CHECK_STATUS(chnsw_s8_gemm(KERNELS[e], m, n, k, q, ldq, ascale, packed, wscale, sums, b, accumulate, c,
                                       ldc),
                         CHNSW_OK);
            int bad = 0;
            for (size_t i = 0; i < m; i++)
                for (size_t j = 0; j < ldc; j++)
                    if (fabsf(c[i * ldc + j] - ref[i * ldc + j]) > 1e-5f * (1 + fabsf(ref[i * ldc + j]))) bad++;
            if (bad) fprintf(stderr, "s8 kernel %d m=%zu n=%zu k=%zu: %d differ\n", KERNELS[e], m, n, k, bad);
            CHECK(bad == 0);
        }
        free(a), free(w), free(bias), free(c0), free(c), free(ref), free(wscale), free(ascale), free(sums);
        free(packed), free(q);
    }
}

static void test_s8_quantize_rounds_half_away_from_zero(void) {
    /* top 127 makes the scale 1: each value's code is its own rounding, ties away from zero. */
    const float row[19] = {127, 63.5f, -63.5f, 0.5f, -0.5f, -0.0f, 1.5f, -126.5f, 0.49f, -0.49f,
                           2.5f, -2.5f, 100.2f, -100.7f, 3, -3, 0.5f, -0.5f, 126.5f};
    const int8_t want[19] = {127, 64, -64, 1, -1, 0, 2, -127, 0, 0, 3, -3, 100, -101, 3, -3, 1, -1, 127};
    for (size_t e = 0; e < sizeof KERNELS / sizeof KERNELS[0]; e++) {
        if (!chnsw_embed_kernel_supported(KERNELS[e], 0)) continue;
        int8_t q[64];
        float scale;
        CHECK_STATUS(chnsw_s8_quantize_rows(KERNELS[e], 1, 19, row, 19, q, 64, &scale), CHNSW_OK);
        CHECK(scale == 1.0f);
        CHECK(memcmp(q, want, sizeof want) == 0);
    }
}

static void test_s8_extreme_codes_do_not_saturate(void) {
    /* Every code at +-127 with the same sign: the AVX2 pair sums reach 2 x 127 x 127. */
    size_t m = 7, n = 33, k = 517, ldq = chnsw_s8_row_stride(k);
    float *a = malloc(m * k * sizeof(float)), *w = malloc(n * k * sizeof(float));
    for (size_t i = 0; i < m * k; i++) a[i] = (i / k) % 2 ? -1.0f : 1.0f;
    for (size_t i = 0; i < n * k; i++) w[i] = (i / k) % 3 ? -2.0f : 2.0f;
    float *ws = malloc(n * sizeof(float)), *as = malloc(m * sizeof(float)), *c = malloc(m * n * sizeof(float));
    int32_t *sums = malloc(n * sizeof(int32_t));
    int8_t *packed = malloc(chnsw_s8_packed_count(n, k)), *q = malloc(m * ldq);
    CHECK_STATUS(chnsw_s8_pack(w, n, k, packed, ws, sums), CHNSW_OK);
    CHECK_STATUS(chnsw_s8_quantize_rows(CHNSW_EMBED_KERNEL_AUTO, m, k, a, k, q, ldq, as), CHNSW_OK);
    for (size_t e = 0; e < sizeof KERNELS / sizeof KERNELS[0]; e++) {
        if (!chnsw_embed_kernel_supported(KERNELS[e], 1)) continue;
        CHECK_STATUS(chnsw_s8_gemm(KERNELS[e], m, n, k, q, ldq, as, packed, ws, sums, NULL, 0, c, n), CHNSW_OK);
        int bad = 0;
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++) {
                float want = ((i % 2) ? -1.0f : 1.0f) * ((j % 3) ? -2.0f : 2.0f) * (float)k;
                bad += fabsf(c[i * n + j] - want) > 1e-3f * (float)k;
            }
        CHECK(bad == 0);
    }
    free(a), free(w), free(ws), free(as), free(c), free(sums), free(packed), free(q);
}

static void test_attention_matches_reference(void) {
    for (int trial = 0; trial < 20; trial++) {
        size_t n = 1 + below(trial < 15 ? 40 : 300), heads = 1 + below(6), hw = 1 + below(40);
        size_t hidden = heads * hw, ld = 3 * hidden + below(3), ldc = hidden + below(3);
        float *qkv = malloc(n * ld * sizeof(float)), *out = malloc(n * ldc * sizeof(float));
        float *scratch = malloc(chnsw_attention_scratch_count(n, hw) * sizeof(float));
        double *p = malloc(n * sizeof(double));
        fill(qkv, n * ld);
        for (size_t i = 0; i < n * ld; i++) qkv[i] *= 4; /* wide score ranges exercise exp */
        float scale = 1.0f / sqrtf((float)hw);
        for (size_t e = 0; e < sizeof KERNELS / sizeof KERNELS[0]; e++) {
            if (!chnsw_embed_kernel_supported(KERNELS[e], 0)) continue;
            CHECK_STATUS(chnsw_attention_f32(KERNELS[e], n, heads, hw, qkv, ld, scale, out, ldc, scratch), CHNSW_OK);
            int bad = 0;
            for (size_t h = 0; h < heads; h++)
                for (size_t i = 0; i < n; i++) {
                    double top = -1e300, total = 0;
                    for (size_t j = 0; j < n; j++) {
                        double s = 0;
                        for (size_t d = 0; d < hw; d++)
                            s += (double)qkv[i * ld + h * hw + d] * qkv[j * ld + hidden + h * hw + d];
                        p[j] = s * scale;
                        if (p[j] > top) top = p[j];
                    }
                    for (size_t j = 0; j < n; j++) total += (p[j] = exp(p[j] - top));
                    for (size_t d = 0; d < hw; d++) {
                        double want = 0;
                        for (size_t j = 0; j < n; j++) want += p[j] / total * qkv[j * ld + 2 * hidden + h * hw + d];
                        bad += fabs(out[i * ldc + h * hw + d] - want) > 1e-4;
                    }
                }
            if (bad) fprintf(stderr, "attention kernel %d n=%zu heads=%zu hw=%zu: %d wrong\n", KERNELS[e], n, heads, hw, bad);
            CHECK(bad == 0);
        }
        free(qkv), free(out), free(scratch), free(p);
    }
}

static void test_bad_input_is_refused(void) {
    float x[64] = {0}, packed[64 * 16] = {0}, c[64] = {0}, s[64] = {0};
    int8_t q[256] = {0}, pk[1024] = {0};
    int32_t sums[64] = {0};
    CHECK_STATUS(chnsw_f32_pack(NULL, 4, 4, packed), CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_f32_pack(x, 0, 4, packed), CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_f32_gemm(CHNSW_EMBED_KERNEL_AUTO, 1, 4, 8, x, 4, packed, NULL, 0, c, 4),
                 CHNSW_ERR_INVALID_ARGUMENT); /* lda < k */
    CHECK_STATUS(chnsw_f32_gemm((chnsw_embed_kernel)9, 1, 4, 4, x, 4, packed, NULL, 0, c, 4),
                 CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_f32_gemm(CHNSW_EMBED_KERNEL_AUTO, 0, 4, 4, x, 4, packed, NULL, 0, c, 4),
                 CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_f32q_pack(q, x, 4, 48, pk, s), CHNSW_ERR_INVALID_ARGUMENT); /* k not a multiple of 32 */
    CHECK_STATUS(chnsw_f32q_gemm(CHNSW_EMBED_KERNEL_AUTO, 1, 4, 48, x, 48, pk, s, NULL, 0, c, 4),
                 CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_f32q_gemm(CHNSW_EMBED_KERNEL_AUTO, 1, 4, 32, x, 32, pk, NULL, NULL, 0, c, 4),
                 CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_s8_quantize_rows(CHNSW_EMBED_KERNEL_AUTO, 1, 65, x, 65, q, 64, s),
                 CHNSW_ERR_INVALID_ARGUMENT); /* ldq too short */
    CHECK_STATUS(chnsw_s8_pack(x, 4, 4, pk, NULL, sums), CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_s8_gemm(CHNSW_EMBED_KERNEL_AUTO, 1, 4, 4, q, 64, s, pk, s, NULL, NULL, 0, c, 4),
                 CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_attention_f32(CHNSW_EMBED_KERNEL_AUTO, 2, 2, 2, x, 11, 1, c, 4, s),
                 CHNSW_ERR_INVALID_ARGUMENT); /* ld < 3 x hidden */
    if (!chnsw_embed_kernel_supported(CHNSW_EMBED_KERNEL_AVX512, 1))
        CHECK_STATUS(chnsw_s8_gemm(CHNSW_EMBED_KERNEL_AVX512, 1, 4, 4, q, 64, s, pk, s, sums, NULL, 0, c, 4),
                     CHNSW_ERR_UNSUPPORTED_KERNEL);
}

int main(void) {
    fprintf(stderr, "test_embed_kernels (fp32 best %d, int8 best %d)\n", chnsw_embed_kernel_best(0),
            chnsw_embed_kernel_best(1));
    RUN(test_f32_gemm_matches_reference);
    RUN(test_f32q_gemm_matches_reference);
    RUN(test_s8_kernels_agree_and_match_dequantised);
    RUN(test_s8_quantize_rounds_half_away_from_zero);
    RUN(test_s8_extreme_codes_do_not_saturate);
    RUN(test_attention_matches_reference);
    RUN(test_bad_input_is_refused);
    return harness_finish("test_embed_kernels");
}
