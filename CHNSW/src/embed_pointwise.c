/*
 * embed_pointwise.c - the encoder's row-wise and element-wise steps: layer normalisation and
 * GELU, in place.
 *
 * Plain C compiled once per instruction set (target attributes), as the attention body is: the
 * sums run in 16 independent lanes and erf is a rational function without libm calls, so the
 * compiler vectorises both with AVX-512 or AVX2. (In Swift, built for baseline x86-64, they ran
 * 4 floats wide and the sums one float at a time: ~10 % of a short query's CPU.)
 */
#include "embed_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#define EMBED_X86 1
#endif

enum { LANES = 16 };

/* Sum of x[0..n) in LANES partial sums (vectorisable), then the tail. */
__attribute__((always_inline)) static inline float lane_sum(const float *x, size_t n, float shift) {
    float part[LANES] = {0};
    size_t j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int l = 0; l < LANES; l++) part[l] += x[j + l] - shift;
    float total = 0;
    for (; j < n; j++) total += x[j] - shift;
    for (int l = 0; l < LANES; l++) total += part[l];
    return total;
}

__attribute__((always_inline)) static inline float lane_squares(const float *x, size_t n, float mean) {
    float part[LANES] = {0};
    size_t j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int l = 0; l < LANES; l++) part[l] += (x[j + l] - mean) * (x[j + l] - mean);
    float total = 0;
    for (; j < n; j++) total += (x[j] - mean) * (x[j] - mean);
    for (int l = 0; l < LANES; l++) total += part[l];
    return total;
}

__attribute__((always_inline)) static inline void layer_norm_body(size_t m, size_t n, float *x, size_t ldx,
                                                                  const float *gamma, const float *beta,
                                                                  float epsilon) {
    for (size_t i = 0; i < m; i++) {
        float *v = x + i * ldx;
        float mean = lane_sum(v, n, 0) / (float)n;
        float inverse = 1.0f / __builtin_sqrtf(lane_squares(v, n, mean) / (float)n + epsilon);
        for (size_t j = 0; j < n; j++) v[j] = (v[j] - mean) * inverse * gamma[j] + beta[j];
    }
}

/* erf as x * P(x^2) / Q(x^2) on [-4, 4] (the minimax rational function XLA and Eigen use for
 * float; erf(+-4) is +-1 within 2e-8): absolute error below 5e-7. */
__attribute__((always_inline)) static inline float erf_rational(float x) {
    float c = x < -4.0f ? -4.0f : (x > 4.0f ? 4.0f : x), x2 = c * c;
    float p = -2.72614225801306e-10f;
    p = p * x2 + 2.77068142495902e-08f;
    p = p * x2 - 2.10102402082508e-06f;
    p = p * x2 - 5.69250639462346e-05f;
    p = p * x2 - 7.34990630326855e-04f;
    p = p * x2 - 2.95459980854025e-03f;
    p = p * x2 - 1.60960333262415e-02f;
    float q = -1.45660718464996e-05f;
    q = q * x2 - 2.13374055278905e-04f;
    q = q * x2 - 1.68282697438203e-03f;
    q = q * x2 - 7.37332916720468e-03f;
    q = q * x2 - 1.42647390514189e-02f;
    return c * p / q;
}

/* BERT's GELU, x * Phi(x) = x/2 * (1 + erf(x / sqrt 2)). */
__attribute__((always_inline)) static inline void gelu_body(size_t count, float *x) {
    for (size_t i = 0; i < count; i++) x[i] = 0.5f * x[i] * (1.0f + erf_rational(x[i] * 0.70710677f));
}

static void layer_norm_scalar(size_t m, size_t n, float *x, size_t ldx, const float *g, const float *b, float e) {
    layer_norm_body(m, n, x, ldx, g, b, e);
}
static void gelu_scalar(size_t count, float *x) { gelu_body(count, x); }

#ifdef EMBED_X86
__attribute__((target("avx2,fma"))) static void layer_norm_avx2(size_t m, size_t n, float *x, size_t ldx,
                                                                 const float *g, const float *b, float e) {
    layer_norm_body(m, n, x, ldx, g, b, e);
}
__attribute__((target("avx512f"))) static void layer_norm_512(size_t m, size_t n, float *x, size_t ldx,
                                                               const float *g, const float *b, float e) {
    layer_norm_body(m, n, x, ldx, g, b, e);
}
__attribute__((target("avx2,fma"))) static void gelu_avx2(size_t count, float *x) { gelu_body(count, x); }
__attribute__((target("avx512f"))) static void gelu_512(size_t count, float *x) { gelu_body(count, x); }
#endif

chnsw_status chnsw_layer_norm_f32(chnsw_embed_kernel kernel, size_t m, size_t n, float *x, size_t ldx,
                                  const float *gamma, const float *beta, float epsilon) {
    if (!x || !gamma || !beta || m == 0 || n == 0 || ldx < n || !(epsilon >= 0)) return CHNSW_ERR_INVALID_ARGUMENT;
    chnsw_status status = embed_resolve(&kernel, 0);
    if (status != CHNSW_OK) return status;
    switch (kernel) {
#ifdef EMBED_X86
    case CHNSW_EMBED_KERNEL_AVX512:
        layer_norm_512(m, n, x, ldx, gamma, beta, epsilon);
        break;
    case CHNSW_EMBED_KERNEL_AVX2:
        layer_norm_avx2(m, n, x, ldx, gamma, beta, epsilon);
        break;
#endif
    default:
        layer_norm_scalar(m, n, x, ldx, gamma, beta, epsilon);
    }
    return CHNSW_OK;
}

chnsw_status chnsw_gelu_f32(chnsw_embed_kernel kernel, size_t count, float *x) {
    if (!x || count == 0) return CHNSW_ERR_INVALID_ARGUMENT;
    chnsw_status status = embed_resolve(&kernel, 0);
    if (status != CHNSW_OK) return status;
    switch (kernel) {
#ifdef EMBED_X86
    case CHNSW_EMBED_KERNEL_AVX512:
        gelu_512(count, x);
        break;
    case CHNSW_EMBED_KERNEL_AVX2:
        gelu_avx2(count, x);
        break;
#endif
    default:
        gelu_scalar(count, x);
    }
    return CHNSW_OK;
}
