/*
 * embed_gemm_f32q.c - fp32 products by weights kept as block-scaled small integers (a model
 * shipped 4-bit, such as multilingual-e5-small's Q4_0 file), for the encoder.
 *
 * Why: one query multiplies a dozen token rows by every weight matrix, so it reads all the
 * weights once. Dequantised to fp32, e5-small's layers are 85 MB, more than this machine's
 * last-level cache holds for one core, and the pass was bound by memory bandwidth (~16 GB/s:
 * ~5.5 ms of reading per query). Kept as one int8 code per weight plus one fp32 scale per 32
 * inputs, they are 24 MB; each weight is expanded to fp32 in registers (code x scale, exact in
 * fp32: an 11-bit fp16 scale times a 4-bit code) just before its FMAs, so the arithmetic is the
 * fp32 path's, only the order of the sums differs.
 *
 * Layout: panels of 16 output columns as in embed_gemm_f32.c; a panel holds k x 16 codes
 * (k-major) and then (k / 32) x 16 scales. Rows are cut into near-equal blocks of at most 8
 * (AVX-512: 8 rows x 2 panels = 16 accumulators, leaving registers for the expanded weights).
 */
#include "embed_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#define EMBED_X86 1
#endif

enum { PANEL = EMBED_PANEL, QB = CHNSW_F32Q_BLOCK, MR512 = 8, MR2 = 4 };

size_t chnsw_f32q_packed_codes(size_t n, size_t k) { return (n + PANEL - 1) / PANEL * PANEL * k; }

size_t chnsw_f32q_packed_scales(size_t n, size_t k) { return (n + PANEL - 1) / PANEL * PANEL * (k / QB); }

chnsw_status chnsw_f32q_pack(const int8_t *codes, const float *scales, size_t n, size_t k, int8_t *packed,
                             float *packed_scales) {
    if (!codes || !scales || !packed || !packed_scales || n == 0 || k == 0 || k % QB) return CHNSW_ERR_INVALID_ARGUMENT;
    size_t panels = (n + PANEL - 1) / PANEL, blocks = k / QB;
    for (size_t p = 0; p < panels; p++)
        for (size_t j = 0; j < PANEL; j++) {
            size_t col = p * PANEL + j;
            for (size_t kk = 0; kk < k; kk++) packed[(p * k + kk) * PANEL + j] = col < n ? codes[col * k + kk] : 0;
            for (size_t b = 0; b < blocks; b++)
                packed_scales[(p * blocks + b) * PANEL + j] = col < n ? scales[col * blocks + b] : 0.0f;
        }
    return CHNSW_OK;
}

/* Near-equal blocks of at most `most` rows: rows 14 with most 8 -> 7 + 7, not 8 + 6. */
static size_t row_blocks(size_t rows, size_t most, size_t *base, size_t *extra) {
    size_t blocks = (rows + most - 1) / most;
    *base = rows / blocks;
    *extra = rows % blocks;
    return blocks;
}

static void gemm_scalar(size_t m, size_t n, size_t k, const float *a, size_t lda, const int8_t *packed,
                        const float *scales, const float *bias, int accumulate, float *c, size_t ldc) {
    size_t blocks = k / QB;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            const int8_t *w = packed + (j / PANEL) * k * PANEL + j % PANEL;
            const float *s = scales + (j / PANEL) * blocks * PANEL + j % PANEL;
            float sum = 0;
            for (size_t kk = 0; kk < k; kk++) sum += a[i * lda + kk] * ((float)w[kk * PANEL] * s[kk / QB * PANEL]);
            float base = accumulate ? c[i * ldc + j] : 0.0f;
            c[i * ldc + j] = base + sum + (bias ? bias[j] : 0.0f);
        }
}

#ifdef EMBED_X86

/* ---- AVX-512F: R rows x P panels (P = 1 or 2) ---- */

__attribute__((target("avx512f"), always_inline)) static inline __m512 expand_512(const int8_t *codes, __m512 scale) {
    __m512i wide = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)codes));
    return _mm512_mul_ps(_mm512_cvtepi32_ps(wide), scale);
}

__attribute__((target("avx512f"), always_inline)) static inline void tile_512(
    const int R, const int P, size_t k, const float *a, size_t lda, const int8_t *w, const float *s,
    size_t wstride, size_t sstride, const float *bias, int accumulate, float *c, size_t ldc, __mmask16 m0,
    __mmask16 m1) {
    __m512 acc[MR512][2];
    for (int r = 0; r < R; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    for (size_t b = 0; b < k / QB; b++) {
        __m512 s0 = _mm512_loadu_ps(s + b * PANEL);
        __m512 s1 = P > 1 ? _mm512_loadu_ps(s + sstride + b * PANEL) : s0;
        for (size_t kk = b * QB; kk < b * QB + QB; kk++) {
            __m512 w0 = expand_512(w + kk * PANEL, s0);
            __m512 w1 = P > 1 ? expand_512(w + wstride + kk * PANEL, s1) : w0;
            for (int r = 0; r < R; r++) {
                __m512 x = _mm512_set1_ps(a[(size_t)r * lda + kk]);
                acc[r][0] = _mm512_fmadd_ps(x, w0, acc[r][0]);
                if (P > 1) acc[r][1] = _mm512_fmadd_ps(x, w1, acc[r][1]);
            }
        }
    }
    embed_finish_512(R, P, acc, bias, accumulate, c, ldc, m0, m1);
}

#define TILE512_CASE(R)                                                                                   \
    case R:                                                                                               \
        if (P == 2)                                                                                       \
            tile_512(R, 2, k, a, lda, w, s, wstride, sstride, bias, accumulate, c, ldc, m0, m1);          \
        else                                                                                              \
            tile_512(R, 1, k, a, lda, w, s, wstride, sstride, bias, accumulate, c, ldc, m0, m1);          \
        break;

__attribute__((target("avx512f"))) static void rows_512(int R, int P, size_t k, const float *a, size_t lda,
                                                         const int8_t *w, const float *s, size_t wstride,
                                                         size_t sstride, const float *bias, int accumulate, float *c,
                                                         size_t ldc, __mmask16 m0, __mmask16 m1) {
    switch (R) {
        TILE512_CASE(1) TILE512_CASE(2) TILE512_CASE(3) TILE512_CASE(4)
        TILE512_CASE(5) TILE512_CASE(6) TILE512_CASE(7) TILE512_CASE(8)
    }
}

__attribute__((target("avx512f"))) static void gemm_512(size_t m, size_t n, size_t k, const float *a, size_t lda,
                                                         const int8_t *packed, const float *scales, const float *bias,
                                                         int accumulate, float *c, size_t ldc) {
    size_t panels = (n + PANEL - 1) / PANEL, wstride = k * PANEL, sstride = k / QB * PANEL;
    size_t chunk = embed_chunk_rows(k * sizeof(float), MR512);
    for (size_t m0 = 0; m0 < m; m0 += chunk) {
        size_t end = m0 + chunk < m ? m0 + chunk : m, base, extra;
        size_t blocks = row_blocks(end - m0, MR512, &base, &extra);
        for (size_t p = 0; p < panels; p += 2) {
            int P = p + 1 < panels ? 2 : 1;
            size_t cols0 = embed_panel_columns(n, p), cols1 = embed_panel_columns(n, p + 1);
            __mmask16 mk0 = (__mmask16)((1u << cols0) - 1), mk1 = (__mmask16)((1u << cols1) - 1);
            const float *bp = bias ? bias + p * PANEL : 0;
            for (size_t block = 0, r = m0; block < blocks; block++) {
                int R = (int)(base + (block < extra));
                rows_512(R, P, k, a + r * lda, lda, packed + p * wstride, scales + p * sstride, wstride, sstride, bp,
                         accumulate, c + r * ldc + p * PANEL, ldc, mk0, mk1);
                r += (size_t)R;
            }
        }
    }
}

/* ---- AVX2 + FMA: R rows x one panel (two 8-float vectors) ---- */

__attribute__((target("avx2,fma"), always_inline)) static inline __m256 expand_avx2(const int8_t *codes,
                                                                                    const float *scale) {
    __m256i wide = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)codes));
    return _mm256_mul_ps(_mm256_cvtepi32_ps(wide), _mm256_loadu_ps(scale));
}

__attribute__((target("avx2,fma"), always_inline)) static inline void tile_avx2(
    const int R, size_t k, const float *a, size_t lda, const int8_t *w, const float *s, const float *bias,
    int accumulate, float *c, size_t ldc, __m256i m0, __m256i m1) {
    __m256 acc[MR2][2];
    for (int r = 0; r < R; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (size_t kk = 0; kk < k; kk++) {
        const float *scale = s + kk / QB * PANEL;
        __m256 w0 = expand_avx2(w + kk * PANEL, scale), w1 = expand_avx2(w + kk * PANEL + 8, scale + 8);
        for (int r = 0; r < R; r++) {
            __m256 x = _mm256_broadcast_ss(a + (size_t)r * lda + kk);
            acc[r][0] = _mm256_fmadd_ps(x, w0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(x, w1, acc[r][1]);
        }
    }
    embed_finish_avx2(R, acc, bias, accumulate, c, ldc, m0, m1);
}

#define TILE2_CASE(R)                                                                                     \
    case R:                                                                                               \
        tile_avx2(R, k, a, lda, w, s, bias, accumulate, c, ldc, m0, m1);                                  \
        break;

__attribute__((target("avx2,fma"))) static void rows_avx2(int R, size_t k, const float *a, size_t lda,
                                                           const int8_t *w, const float *s, const float *bias,
                                                           int accumulate, float *c, size_t ldc, __m256i m0,
                                                           __m256i m1) {
    switch (R) { TILE2_CASE(1) TILE2_CASE(2) TILE2_CASE(3) TILE2_CASE(4) }
}

__attribute__((target("avx2,fma"))) static void gemm_avx2(size_t m, size_t n, size_t k, const float *a, size_t lda,
                                                           const int8_t *packed, const float *scales,
                                                           const float *bias, int accumulate, float *c, size_t ldc) {
    size_t panels = (n + PANEL - 1) / PANEL, chunk = embed_chunk_rows(k * sizeof(float), MR2);
    for (size_t m0 = 0; m0 < m; m0 += chunk) {
        size_t end = m0 + chunk < m ? m0 + chunk : m, base, extra;
        size_t blocks = row_blocks(end - m0, MR2, &base, &extra);
        for (size_t p = 0; p < panels; p++) {
            size_t cols = embed_panel_columns(n, p);
            __m256i mk0 = embed_lane_mask(cols < 8 ? cols : 8), mk1 = embed_lane_mask(cols > 8 ? cols - 8 : 0);
            const float *bp = bias ? bias + p * PANEL : 0;
            for (size_t block = 0, r = m0; block < blocks; block++) {
                int R = (int)(base + (block < extra));
                rows_avx2(R, k, a + r * lda, lda, packed + p * k * PANEL, scales + p * (k / QB) * PANEL, bp,
                          accumulate, c + r * ldc + p * PANEL, ldc, mk0, mk1);
                r += (size_t)R;
            }
        }
    }
}

#endif /* EMBED_X86 */

chnsw_status chnsw_f32q_gemm(chnsw_embed_kernel kernel, size_t m, size_t n, size_t k, const float *a, size_t lda,
                             const int8_t *packed, const float *scales, const float *bias, int accumulate, float *c,
                             size_t ldc) {
    if (!a || !packed || !scales || !c || m == 0 || n == 0 || k == 0 || k % QB || lda < k || ldc < n)
        return CHNSW_ERR_INVALID_ARGUMENT;
    chnsw_status status = embed_resolve(&kernel, 0);
    if (status != CHNSW_OK) return status;
    switch (kernel) {
#ifdef EMBED_X86
    case CHNSW_EMBED_KERNEL_AVX512:
        gemm_512(m, n, k, a, lda, packed, scales, bias, accumulate, c, ldc);
        break;
    case CHNSW_EMBED_KERNEL_AVX2:
        gemm_avx2(m, n, k, a, lda, packed, scales, bias, accumulate, c, ldc);
        break;
#endif
    default:
        gemm_scalar(m, n, k, a, lda, packed, scales, bias, accumulate, c, ldc);
    }
    return CHNSW_OK;
}
