/*
 * embed_attention.c - multi-head self-attention of one unmasked sequence, all heads in one call.
 *
 * Per head: the keys are transposed into scratch ([head_width, n]) so that a query's scores
 * are a sum of contiguous rows (vectorisable over tokens); each score row is turned into
 * probabilities in place and multiplies the values, row by row. Nothing is allocated.
 * The body is plain C, compiled once per instruction set (target attributes) so the compiler
 * vectorises it with AVX2 or AVX-512; exp is a polynomial for the same reason.
 */
#include <string.h>

#include "embed_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#define EMBED_X86 1
#endif

size_t chnsw_attention_scratch_count(size_t n, size_t head_width) { return n * head_width + n; }

/* e^x for x <= 0 (softmax arguments after subtracting the row maximum), relative error ~2e-7:
 * x = i ln2 + r with |r| <= ln2/2, e^r by its degree-6 Taylor polynomial, 2^i from the
 * exponent bits. Below -87 the result is flushed to 0. */
__attribute__((always_inline)) static inline float exp_nonpositive(float x) {
    float clamped = x < -87.0f ? -87.0f : x;
    float i = __builtin_floorf(clamped * 1.44269504f + 0.5f);
    float r = clamped - i * 0.693359375f + i * 2.12194440e-4f;
    float p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t bits = ((int32_t)i + 127) << 23;
    float two;
    memcpy(&two, &bits, sizeof two);
    return x < -87.0f ? 0.0f : p * two;
}

__attribute__((always_inline)) static inline void attention_body(size_t n, size_t heads, size_t hw,
                                                                 const float *qkv, size_t ld, float scale,
                                                                 float *context, size_t ldc, float *scratch) {
    size_t hidden = heads * hw;
    float *keys = scratch, *row = scratch + n * hw;
    for (size_t h = 0; h < heads; h++) {
        const float *q = qkv + h * hw, *k = qkv + hidden + h * hw, *v = qkv + 2 * hidden + h * hw;
        for (size_t j = 0; j < n; j++)
            for (size_t d = 0; d < hw; d++) keys[d * n + j] = k[j * ld + d];
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < n; j++) row[j] = 0;
            for (size_t d = 0; d < hw; d++) {
                float qd = q[i * ld + d] * scale;
                const float *kd = keys + d * n;
                for (size_t j = 0; j < n; j++) row[j] += qd * kd[j];
            }
            float top = row[0];
            for (size_t j = 1; j < n; j++) top = row[j] > top ? row[j] : top;
            float total = 0;
            for (size_t j = 0; j < n; j++) {
                row[j] = exp_nonpositive(row[j] - top);
                total += row[j];
            }
            float inverse = 1.0f / total;
            float *out = context + i * ldc + h * hw;
            for (size_t d = 0; d < hw; d++) out[d] = 0;
            for (size_t j = 0; j < n; j++) {
                float p = row[j] * inverse;
                const float *vj = v + j * ld;
                for (size_t d = 0; d < hw; d++) out[d] += p * vj[d];
            }
        }
    }
}

static void attention_scalar(size_t n, size_t heads, size_t hw, const float *qkv, size_t ld, float scale,
                             float *context, size_t ldc, float *scratch) {
    attention_body(n, heads, hw, qkv, ld, scale, context, ldc, scratch);
}

#ifdef EMBED_X86
__attribute__((target("avx2,fma"))) static void attention_avx2(size_t n, size_t heads, size_t hw, const float *qkv,
                                                                size_t ld, float scale, float *context, size_t ldc,
                                                                float *scratch) {
    attention_body(n, heads, hw, qkv, ld, scale, context, ldc, scratch);
}

__attribute__((target("avx512f"))) static void attention_512(size_t n, size_t heads, size_t hw, const float *qkv,
                                                              size_t ld, float scale, float *context, size_t ldc,
                                                              float *scratch) {
    attention_body(n, heads, hw, qkv, ld, scale, context, ldc, scratch);
}
#endif

chnsw_status chnsw_attention_f32(chnsw_embed_kernel kernel, size_t n, size_t heads, size_t head_width,
                                 const float *qkv, size_t ldqkv, float scale, float *context, size_t ldc,
                                 float *scratch) {
    if (!qkv || !context || !scratch || n == 0 || heads == 0 || head_width == 0 ||
        ldqkv < 3 * heads * head_width || ldc < heads * head_width)
        return CHNSW_ERR_INVALID_ARGUMENT;
    chnsw_status status = embed_resolve(&kernel, 0);
    if (status != CHNSW_OK) return status;
    switch (kernel) {
#ifdef EMBED_X86
    case CHNSW_EMBED_KERNEL_AVX512:
        attention_512(n, heads, head_width, qkv, ldqkv, scale, context, ldc, scratch);
        break;
    case CHNSW_EMBED_KERNEL_AVX2:
        attention_avx2(n, heads, head_width, qkv, ldqkv, scale, context, ldc, scratch);
        break;
#endif
    default:
        attention_scalar(n, heads, head_width, qkv, ldqkv, scale, context, ldc, scratch);
    }
    return CHNSW_OK;
}
