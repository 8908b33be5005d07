/*
 * embed_gemm_s8.c - int8 products of token rows by a packed, per-channel quantised weight matrix.
 *
 * Packed layout: panels of 16 output columns; inside a panel, groups of 4 inputs, each group 64
 * bytes (16 columns x 4 consecutive codes), which is what one vpdpbusd (or two vpmaddubsw)
 * consume. Inputs are padded with zero codes to a multiple of 4.
 *
 * vpdpbusd multiplies unsigned by signed bytes, so the VNNI kernel flips each activation code's
 * sign bit (q + 128, in 1..255) and subtracts 128 x (the column's code sum) afterwards. AVX2 has
 * no such instruction; its vpmaddubsw would saturate on 255 x 127 pairs, so the AVX2 kernel
 * multiplies |q| by sign(q) x w instead (both within 127: pair sums stay below 32767). Either
 * way the integer sums are exact and equal to the scalar reference's.
 */
#include <string.h>

#include "embed_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define EMBED_X86 1
#endif

enum { PANEL = EMBED_PANEL, GROUP = 64 };

static size_t groups_of(size_t k) { return (k + 3) / 4; }

size_t chnsw_s8_packed_count(size_t n, size_t k) { return (n + PANEL - 1) / PANEL * groups_of(k) * GROUP; }

size_t chnsw_s8_row_stride(size_t k) { return (k + 63) / 64 * 64; }

/* Round half away from zero, clamped to [-127, 127]; plain arithmetic so loops vectorise. */
static inline int8_t code_of(float x) {
    float r = x >= 0 ? x + 0.5f : x - 0.5f;
    r = r > 127.0f ? 127.0f : r < -127.0f ? -127.0f : r;
    return (int8_t)(int)r;
}

chnsw_status chnsw_s8_pack(const float *w, size_t n, size_t k, int8_t *packed, float *scales, int32_t *sums) {
    if (!w || !packed || !scales || !sums || n == 0 || k == 0) return CHNSW_ERR_INVALID_ARGUMENT;
    size_t groups = groups_of(k), panels = (n + PANEL - 1) / PANEL;
    memset(packed, 0, panels * groups * GROUP);
    for (size_t j = 0; j < n; j++) {
        const float *row = w + j * k;
        float top = 0;
        for (size_t kk = 0; kk < k; kk++) {
            float v = row[kk] < 0 ? -row[kk] : row[kk];
            if (v > top) top = v;
        }
        float inverse = top > 0 ? 127.0f / top : 0.0f;
        scales[j] = top / 127.0f;
        int32_t sum = 0;
        int8_t *panel = packed + (j / PANEL) * groups * GROUP + (j % PANEL) * 4;
        for (size_t kk = 0; kk < k; kk++) {
            int8_t q = code_of(row[kk] * inverse);
            panel[(kk / 4) * GROUP + kk % 4] = q;
            sum += q;
        }
        sums[j] = sum;
    }
    return CHNSW_OK;
}

static void quantize_scalar(size_t m, size_t k, const float *a, size_t lda, int8_t *q, size_t ldq, float *scales) {
    for (size_t i = 0; i < m; i++) {
        const float *row = a + i * lda;
        int8_t *out = q + i * ldq;
        float top = 0;
        for (size_t kk = 0; kk < k; kk++) {
            float v = row[kk] < 0 ? -row[kk] : row[kk];
            top = v > top ? v : top;
        }
        float inverse = top > 0 ? 127.0f / top : 0.0f;
        scales[i] = top / 127.0f;
        for (size_t kk = 0; kk < k; kk++) out[kk] = code_of(row[kk] * inverse);
        memset(out + k, 0, ldq - k);
    }
}

#ifdef EMBED_X86
/*
 * The same codes as quantize_scalar, 16 at a time: one IEEE product per value, then x + 0.5 with
 * x's sign, the clamp and truncation, exactly code_of's steps. Without it, quantising each layer's
 * input took ~12 % of an int8 batch (perf, docs/benchmarks-archive.md): the scalar loop is built
 * without AVX and does not vectorise with its branches.
 */
__attribute__((target("avx512f"))) static void quantize_avx512(size_t m, size_t k, const float *a, size_t lda,
                                                                int8_t *q, size_t ldq, float *scales) {
    const __m512i sign = _mm512_set1_epi32((int32_t)0x80000000u);
    const __m512i half = _mm512_castps_si512(_mm512_set1_ps(0.5f));
    const __m512 high = _mm512_set1_ps(127.0f), low = _mm512_set1_ps(-127.0f);
    __mmask16 tail = (__mmask16)((1u << (k % 16)) - 1);
    for (size_t i = 0; i < m; i++) {
        const float *row = a + i * lda;
        int8_t *out = q + i * ldq;
        __m512 top = _mm512_setzero_ps();
        size_t kk = 0;
        for (; kk + 16 <= k; kk += 16) top = _mm512_max_ps(top, _mm512_abs_ps(_mm512_loadu_ps(row + kk)));
        if (tail) top = _mm512_max_ps(top, _mm512_abs_ps(_mm512_maskz_loadu_ps(tail, row + kk)));
        float t = _mm512_reduce_max_ps(top);
        float inverse = t > 0 ? 127.0f / t : 0.0f;
        scales[i] = t / 127.0f;
        __m512 scale = _mm512_set1_ps(inverse);
        for (kk = 0; kk < k; kk += 16) {
            __mmask16 mask = kk + 16 <= k ? (__mmask16)0xFFFF : tail;
            __m512 x = _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, row + kk), scale);
            __m512 away = _mm512_castsi512_ps(_mm512_or_si512(half, _mm512_and_si512(_mm512_castps_si512(x), sign)));
            __m512 r = _mm512_min_ps(_mm512_max_ps(_mm512_add_ps(x, away), low), high);
            _mm512_mask_cvtepi32_storeu_epi8(out + kk, mask, _mm512_cvttps_epi32(r));
        }
        memset(out + k, 0, ldq - k);
    }
}
#endif

chnsw_status chnsw_s8_quantize_rows(chnsw_embed_kernel kernel, size_t m, size_t k, const float *a, size_t lda,
                                    int8_t *q, size_t ldq, float *scales) {
    if (!a || !q || !scales || m == 0 || k == 0 || lda < k || ldq < chnsw_s8_row_stride(k))
        return CHNSW_ERR_INVALID_ARGUMENT;
    chnsw_status status = embed_resolve(&kernel, 0);
    if (status != CHNSW_OK) return status;
#ifdef EMBED_X86
    if (kernel == CHNSW_EMBED_KERNEL_AVX512) {
        quantize_avx512(m, k, a, lda, q, ldq, scales);
        return CHNSW_OK;
    }
#endif
    /* The AVX2 kernel quantises with the scalar loop (no machine here to measure a vector one). */
    quantize_scalar(m, k, a, lda, q, ldq, scales);
    return CHNSW_OK;
}

static void gemm_scalar(size_t m, size_t n, size_t k, const int8_t *q, size_t ldq, const float *row_scales,
                        const int8_t *packed, const float *col_scales, const float *bias, int accumulate, float *c,
                        size_t ldc) {
    size_t groups = groups_of(k);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            const int8_t *w = packed + (j / PANEL) * groups * GROUP + (j % PANEL) * 4;
            int32_t dot = 0;
            for (size_t kk = 0; kk < k; kk++) dot += (int32_t)q[i * ldq + kk] * w[(kk / 4) * GROUP + kk % 4];
            float value = (float)dot * (row_scales[i] * col_scales[j]) + (bias ? bias[j] : 0.0f);
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + value : value;
        }
}

#ifdef EMBED_X86

static inline int32_t load4(const int8_t *p) {
    int32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* ---- AVX-512 VNNI: R rows (<= 6) x P panels (1 or 2) ---- */

enum { MR512 = 6, MR2 = 4 };

__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline)) static inline void tile_vnni(
    const int R, const int P, size_t groups, const int8_t *q, size_t ldq, const float *row_scales,
    const int8_t *b, size_t pstride, const float *col_scales, const int32_t *sums, const float *bias,
    int accumulate, float *c, size_t ldc, __mmask16 m0, __mmask16 m1) {
    __m512i acc[MR512][2];
    for (int r = 0; r < R; r++) acc[r][0] = acc[r][1] = _mm512_setzero_si512();
    const __m512i flip = _mm512_set1_epi32((int32_t)0x80808080u);
    const int8_t *b1 = b + pstride;
    for (size_t g = 0; g < groups; g++) {
        __m512i w0 = _mm512_loadu_si512((const void *)(b + g * GROUP));
        __m512i w1 = P > 1 ? _mm512_loadu_si512((const void *)(b1 + g * GROUP)) : w0;
        for (int r = 0; r < R; r++) {
            __m512i x = _mm512_xor_si512(_mm512_set1_epi32(load4(q + (size_t)r * ldq + 4 * g)), flip);
            acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], x, w0);
            if (P > 1) acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], x, w1);
        }
    }
    for (int v = 0; v < P; v++) {
        __mmask16 mask = v ? m1 : m0;
        __m512i correction = _mm512_slli_epi32(_mm512_maskz_loadu_epi32(mask, sums + v * PANEL), 7);
        __m512 scale = _mm512_maskz_loadu_ps(mask, col_scales + v * PANEL);
        __m512 add = bias ? _mm512_maskz_loadu_ps(mask, bias + v * PANEL) : _mm512_setzero_ps();
        for (int r = 0; r < R; r++) {
            float *out = c + (size_t)r * ldc + v * PANEL;
            __m512 dot = _mm512_cvtepi32_ps(_mm512_sub_epi32(acc[r][v], correction));
            __m512 value = _mm512_add_ps(_mm512_mul_ps(dot, _mm512_mul_ps(_mm512_set1_ps(row_scales[r]), scale)), add);
            if (accumulate) value = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, out), value);
            _mm512_mask_storeu_ps(out, mask, value);
        }
    }
}

#define VNNI_CASE(R)                                                                                     \
    case R:                                                                                              \
        if (P == 2)                                                                                      \
            tile_vnni(R, 2, groups, q, ldq, rs, b, pstride, cs, sums, bias, accumulate, c, ldc, m0, m1); \
        else                                                                                             \
            tile_vnni(R, 1, groups, q, ldq, rs, b, pstride, cs, sums, bias, accumulate, c, ldc, m0, m1); \
        break;

__attribute__((target("avx512f,avx512bw,avx512vnni"))) static void rows_vnni(
    int R, int P, size_t groups, const int8_t *q, size_t ldq, const float *rs, const int8_t *b, size_t pstride,
    const float *cs, const int32_t *sums, const float *bias, int accumulate, float *c, size_t ldc, __mmask16 m0,
    __mmask16 m1) {
    switch (R) {
        VNNI_CASE(1) VNNI_CASE(2) VNNI_CASE(3) VNNI_CASE(4) VNNI_CASE(5) VNNI_CASE(6)
    }
}

__attribute__((target("avx512f,avx512bw,avx512vnni"))) static void gemm_vnni(
    size_t m, size_t n, size_t k, const int8_t *q, size_t ldq, const float *row_scales, const int8_t *packed,
    const float *col_scales, const int32_t *col_sums, const float *bias, int accumulate, float *c, size_t ldc) {
    size_t groups = groups_of(k), panels = (n + PANEL - 1) / PANEL, pstride = groups * GROUP;
    size_t chunk = embed_chunk_rows(ldq, MR512);
    for (size_t m0 = 0; m0 < m; m0 += chunk) {
        size_t end = m0 + chunk < m ? m0 + chunk : m;
        for (size_t p = 0; p < panels; p += 2) {
            int P = p + 1 < panels ? 2 : 1;
            size_t cols0 = embed_panel_columns(n, p), cols1 = embed_panel_columns(n, p + 1);
            __mmask16 mk0 = (__mmask16)((1u << cols0) - 1), mk1 = (__mmask16)((1u << cols1) - 1);
            for (size_t r = m0; r < end; r += MR512) {
                int R = end - r < MR512 ? (int)(end - r) : MR512;
                rows_vnni(R, P, groups, q + r * ldq, ldq, row_scales + r, packed + p * pstride, pstride,
                          col_scales + p * PANEL, col_sums + p * PANEL, bias ? bias + p * PANEL : 0, accumulate,
                          c + r * ldc + p * PANEL, ldc, mk0, mk1);
            }
        }
    }
}

/* ---- AVX2: R rows (<= 4) x one panel (two vectors of 8 int32 sums) ---- */

__attribute__((target("avx2,fma"), always_inline)) static inline void tile_avx2(
    const int R, size_t groups, const int8_t *q, size_t ldq, const float *row_scales, const int8_t *b,
    const float *col_scales, const float *bias, int accumulate, float *c, size_t ldc, __m256i m0, __m256i m1) {
    __m256i acc[MR2][2];
    for (int r = 0; r < R; r++) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
    const __m256i ones = _mm256_set1_epi16(1);
    for (size_t g = 0; g < groups; g++) {
        __m256i w0 = _mm256_loadu_si256((const __m256i *)(b + g * GROUP));
        __m256i w1 = _mm256_loadu_si256((const __m256i *)(b + g * GROUP + 32));
        for (int r = 0; r < R; r++) {
            __m256i x = _mm256_set1_epi32(load4(q + (size_t)r * ldq + 4 * g));
            __m256i magnitude = _mm256_sign_epi8(x, x);
            __m256i p0 = _mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(w0, x));
            __m256i p1 = _mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(w1, x));
            acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(p0, ones));
            acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(p1, ones));
        }
    }
    for (int v = 0; v < 2; v++) {
        __m256i mask = v ? m1 : m0;
        __m256 scale = _mm256_maskload_ps(col_scales + v * 8, mask);
        __m256 add = bias ? _mm256_maskload_ps(bias + v * 8, mask) : _mm256_setzero_ps();
        for (int r = 0; r < R; r++) {
            float *out = c + (size_t)r * ldc + v * 8;
            __m256 dot = _mm256_cvtepi32_ps(acc[r][v]);
            __m256 value = _mm256_add_ps(_mm256_mul_ps(dot, _mm256_mul_ps(_mm256_set1_ps(row_scales[r]), scale)), add);
            if (accumulate) value = _mm256_add_ps(_mm256_maskload_ps(out, mask), value);
            _mm256_maskstore_ps(out, mask, value);
        }
    }
}

#define S8AVX2_CASE(R)                                                                                   \
    case R:                                                                                              \
        tile_avx2(R, groups, q, ldq, rs, b, cs, bias, accumulate, c, ldc, m0, m1);                       \
        break;

__attribute__((target("avx2,fma"))) static void rows_avx2(int R, size_t groups, const int8_t *q, size_t ldq,
                                                           const float *rs, const int8_t *b, const float *cs,
                                                           const float *bias, int accumulate, float *c, size_t ldc,
                                                           __m256i m0, __m256i m1) {
    switch (R) {
        S8AVX2_CASE(1) S8AVX2_CASE(2) S8AVX2_CASE(3) S8AVX2_CASE(4)
    }
}

__attribute__((target("avx2"))) static __m256i lane_mask(size_t cols) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)cols), lanes);
}

__attribute__((target("avx2,fma"))) static void gemm_avx2(size_t m, size_t n, size_t k, const int8_t *q,
                                                           size_t ldq, const float *row_scales,
                                                           const int8_t *packed, const float *col_scales,
                                                           const float *bias, int accumulate, float *c,
                                                           size_t ldc) {
    size_t groups = groups_of(k), panels = (n + PANEL - 1) / PANEL;
    size_t chunk = embed_chunk_rows(ldq, MR2);
    for (size_t m0 = 0; m0 < m; m0 += chunk) {
        size_t end = m0 + chunk < m ? m0 + chunk : m;
        for (size_t p = 0; p < panels; p++) {
            size_t cols = embed_panel_columns(n, p);
            __m256i mk0 = lane_mask(cols < 8 ? cols : 8), mk1 = lane_mask(cols > 8 ? cols - 8 : 0);
            for (size_t r = m0; r < end; r += MR2) {
                int R = end - r < MR2 ? (int)(end - r) : MR2;
                rows_avx2(R, groups, q + r * ldq, ldq, row_scales + r, packed + p * groups * GROUP,
                          col_scales + p * PANEL, bias ? bias + p * PANEL : 0, accumulate, c + r * ldc + p * PANEL,
                          ldc, mk0, mk1);
            }
        }
    }
}

#endif /* EMBED_X86 */

chnsw_status chnsw_s8_gemm(chnsw_embed_kernel kernel, size_t m, size_t n, size_t k, const int8_t *q, size_t ldq,
                           const float *row_scales, const int8_t *packed, const float *col_scales,
                           const int32_t *col_sums, const float *bias, int accumulate, float *c, size_t ldc) {
    if (!q || !row_scales || !packed || !col_scales || !col_sums || !c || m == 0 || n == 0 || k == 0 ||
        ldq < chnsw_s8_row_stride(k) || ldc < n)
        return CHNSW_ERR_INVALID_ARGUMENT;
    chnsw_status status = embed_resolve(&kernel, 1);
    if (status != CHNSW_OK) return status;
    switch (kernel) {
#ifdef EMBED_X86
    case CHNSW_EMBED_KERNEL_AVX512:
        gemm_vnni(m, n, k, q, ldq, row_scales, packed, col_scales, col_sums, bias, accumulate, c, ldc);
        break;
    case CHNSW_EMBED_KERNEL_AVX2:
        gemm_avx2(m, n, k, q, ldq, row_scales, packed, col_scales, bias, accumulate, c, ldc);
        break;
#endif
    default:
        gemm_scalar(m, n, k, q, ldq, row_scales, packed, col_scales, bias, accumulate, c, ldc);
    }
    return CHNSW_OK;
}
