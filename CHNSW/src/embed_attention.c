/*
 * embed_attention.c - multi-head self-attention of one unmasked sequence, all heads in one call.
 *
 * Per head: the keys are transposed into scratch ([head_width, n]) so that a query's scores
 * are a sum of contiguous rows (vectorisable over tokens); each score row is turned into
 * probabilities in place and multiplies the values, row by row. Nothing is allocated.
 * The body is plain C, compiled once per instruction set (target attributes) so the compiler
 * vectorises it with AVX2 or AVX-512; exp is a polynomial for the same reason. With AVX-512 and
 * a head width of whole 16-float vectors, an intrinsics path below takes over (4 queries at a
 * time, 16 keys per vector): the plain body's loops run only n wide, ~15 for a query.
 */
#include <string.h>

#include "embed_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#define EMBED_X86 1
#endif

/* Queries per block of the AVX-512 path; most head-width vectors (16 floats each) it takes. */
enum { QB = 4, MAX_WIDTH_VECTORS = 4 };

/* Keys transposed with rows padded to 16 tokens, and QB rows of scores, which also covers the
 * portable body's n * head_width + n. */
size_t chnsw_attention_scratch_count(size_t n, size_t head_width) { return (head_width + QB) * ((n + 15) / 16 * 16); }

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

/* ---- AVX-512, head width a multiple of 16 (MiniLM and e5-small: 32) ----
 * Per head: keys transposed into rows of 16-token vectors (zero-padded), then queries in blocks
 * of QB: their scores against 16 keys at a time (QB independent FMA chains), softmax on whole
 * vectors (padded lanes -inf, so e^x = 0), and the context as a sum of value rows weighted by
 * broadcast probabilities (QB x V accumulators). A short query's 12 heads then take a few
 * microseconds a layer instead of tens: the portable body's inner loops ran n (~15) wide. */

/* e^x for x <= 0, lane by lane, as exp_nonpositive. */
__attribute__((target("avx512f"), always_inline)) static inline __m512 exp_nonpositive_512(__m512 x) {
    __m512 clamped = _mm512_max_ps(x, _mm512_set1_ps(-87.0f));
    __m512 i = _mm512_roundscale_ps(_mm512_fmadd_ps(clamped, _mm512_set1_ps(1.44269504f), _mm512_set1_ps(0.5f)),
                                    _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fmadd_ps(i, _mm512_set1_ps(2.12194440e-4f),
                               _mm512_fnmadd_ps(i, _mm512_set1_ps(0.693359375f), clamped));
    __m512 p = _mm512_set1_ps(1.0f / 720);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(i), _mm512_set1_epi32(127)), 23);
    __mmask16 live = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.0f), _CMP_GE_OQ);
    return _mm512_maskz_mul_ps(live, p, _mm512_castsi512_ps(bits));
}

/* One head, queries first..first+QB-1 (rows past n repeat row n-1 and are not stored), V vectors
 * of head width. `keys` holds the head's keys transposed, rows of `np` floats. */
__attribute__((target("avx512f"), always_inline)) static inline void query_block_512(
    const int V, size_t n, size_t np, size_t first, const float *q, const float *v, size_t ld, float scale,
    const float *keys, float *scores, float *context, size_t ldc) {
    const float *rows[QB];
    for (int r = 0; r < QB; r++) rows[r] = q + (first + (size_t)r < n ? first + (size_t)r : n - 1) * ld;
    size_t chunks = np / 16;
    __mmask16 tail = (__mmask16)((1u << (n - (chunks - 1) * 16)) - 1);
    __m512 scaled = _mm512_set1_ps(scale), minus_inf = _mm512_set1_ps(-__builtin_inff());
    for (size_t c = 0; c < chunks; c++) {
        __m512 acc[QB];
        for (int r = 0; r < QB; r++) acc[r] = _mm512_setzero_ps();
        for (int d = 0; d < 16 * V; d++) {
            __m512 k = _mm512_loadu_ps(keys + (size_t)d * np + c * 16);
            for (int r = 0; r < QB; r++) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(rows[r][d]), k, acc[r]);
        }
        __mmask16 valid = c + 1 < chunks ? (__mmask16)0xffff : tail;
        for (int r = 0; r < QB; r++)
            _mm512_storeu_ps(scores + (size_t)r * np + c * 16,
                             _mm512_mask_mul_ps(minus_inf, valid, acc[r], scaled));
    }
    for (int r = 0; r < QB; r++) {
        float *s = scores + (size_t)r * np;
        __m512 top = _mm512_loadu_ps(s);
        for (size_t c = 1; c < chunks; c++) top = _mm512_max_ps(top, _mm512_loadu_ps(s + c * 16));
        __m512 shift = _mm512_set1_ps(_mm512_reduce_max_ps(top)), total = _mm512_setzero_ps();
        for (size_t c = 0; c < chunks; c++) {
            __m512 e = exp_nonpositive_512(_mm512_sub_ps(_mm512_loadu_ps(s + c * 16), shift));
            _mm512_storeu_ps(s + c * 16, e);
            total = _mm512_add_ps(total, e);
        }
        __m512 inverse = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(total));
        for (size_t c = 0; c < chunks; c++) _mm512_storeu_ps(s + c * 16, _mm512_mul_ps(_mm512_loadu_ps(s + c * 16), inverse));
    }
    __m512 out[QB][MAX_WIDTH_VECTORS];
    for (int r = 0; r < QB; r++)
        for (int u = 0; u < V; u++) out[r][u] = _mm512_setzero_ps();
    for (size_t j = 0; j < n; j++) {
        __m512 values[MAX_WIDTH_VECTORS];
        for (int u = 0; u < V; u++) values[u] = _mm512_loadu_ps(v + j * ld + (size_t)u * 16);
        for (int r = 0; r < QB; r++) {
            __m512 p = _mm512_set1_ps(scores[(size_t)r * np + j]);
            for (int u = 0; u < V; u++) out[r][u] = _mm512_fmadd_ps(p, values[u], out[r][u]);
        }
    }
    for (int r = 0; r < QB && first + (size_t)r < n; r++)
        for (int u = 0; u < V; u++) _mm512_storeu_ps(context + (first + (size_t)r) * ldc + (size_t)u * 16, out[r][u]);
}

__attribute__((target("avx512f"))) static void attention_wide_512(size_t n, size_t heads, size_t hw, const float *qkv,
                                                                   size_t ld, float scale, float *context, size_t ldc,
                                                                   float *scratch) {
    size_t hidden = heads * hw, np = (n + 15) / 16 * 16;
    float *keys = scratch, *scores = scratch + hw * np;
    for (size_t h = 0; h < heads; h++) {
        const float *q = qkv + h * hw, *k = qkv + hidden + h * hw, *v = qkv + 2 * hidden + h * hw;
        for (size_t d = 0; d < hw; d++) {
            for (size_t j = 0; j < n; j++) keys[d * np + j] = k[j * ld + d];
            for (size_t j = n; j < np; j++) keys[d * np + j] = 0;
        }
        for (size_t first = 0; first < n; first += QB) {
            float *out = context + h * hw;
            switch (hw / 16) {
            case 1: query_block_512(1, n, np, first, q, v, ld, scale, keys, scores, out, ldc); break;
            case 2: query_block_512(2, n, np, first, q, v, ld, scale, keys, scores, out, ldc); break;
            case 3: query_block_512(3, n, np, first, q, v, ld, scale, keys, scores, out, ldc); break;
            default: query_block_512(4, n, np, first, q, v, ld, scale, keys, scores, out, ldc); break;
            }
        }
    }
}

__attribute__((target("avx512f"))) static void attention_512(size_t n, size_t heads, size_t hw, const float *qkv,
                                                              size_t ld, float scale, float *context, size_t ldc,
                                                              float *scratch) {
    if (hw % 16 == 0 && hw <= 16 * MAX_WIDTH_VECTORS)
        attention_wide_512(n, heads, hw, qkv, ld, scale, context, ldc, scratch);
    else
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
