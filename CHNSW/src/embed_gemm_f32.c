/*
 * embed_gemm_f32.c - fp32 products of token rows by a packed weight matrix, for the encoder.
 *
 * Why not sgemm: with a dozen rows (one query), OpenBLAS spends most of each call packing the
 * weight matrix it is handed; here the weights are packed once at load, and each panel of 16
 * (AVX-512: 32) output columns is streamed once per block of rows while the rows' accumulators
 * stay in registers (6 rows x 2 vectors = 12 accumulators). Large batches are cut into row
 * chunks whose inputs fit in L2, so each packed panel is reread from L2, not memory.
 */
#include "embed_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#define EMBED_X86 1
#endif

enum { MR = 6, PANEL = EMBED_PANEL };

size_t chnsw_f32_packed_count(size_t n, size_t k) { return (n + PANEL - 1) / PANEL * PANEL * k; }

chnsw_status chnsw_f32_pack(const float *w, size_t n, size_t k, float *packed) {
    if (!w || !packed || n == 0 || k == 0) return CHNSW_ERR_INVALID_ARGUMENT;
    size_t panels = (n + PANEL - 1) / PANEL;
    for (size_t p = 0; p < panels; p++) {
        float *out = packed + p * k * PANEL;
        for (size_t kk = 0; kk < k; kk++)
            for (size_t j = 0; j < PANEL; j++) {
                size_t col = p * PANEL + j;
                out[kk * PANEL + j] = col < n ? w[col * k + kk] : 0.0f;
            }
    }
    return CHNSW_OK;
}


static void gemm_scalar(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *packed,
                        const float *bias, int accumulate, float *c, size_t ldc) {
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            const float *w = packed + (j / PANEL) * k * PANEL + j % PANEL;
            float sum = 0;
            for (size_t kk = 0; kk < k; kk++) sum += a[i * lda + kk] * w[kk * PANEL];
            float base = accumulate ? c[i * ldc + j] : 0.0f;
            c[i * ldc + j] = base + sum + (bias ? bias[j] : 0.0f);
        }
}

#ifdef EMBED_X86

/* ---- AVX-512F: R rows x P panels (P = 1 or 2, i.e. 16 or 32 columns) ---- */

__attribute__((target("avx512f"), always_inline)) static inline void tile_512(
    const int R, const int P, size_t k, const float *a, size_t lda, const float *b, size_t pstride,
    const float *bias, int accumulate, float *c, size_t ldc, __mmask16 m0, __mmask16 m1) {
    __m512 acc[MR][2];
    for (int r = 0; r < R; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    const float *b1 = b + pstride;
    for (size_t kk = 0; kk < k; kk++) {
        __m512 w0 = _mm512_loadu_ps(b + kk * PANEL);
        __m512 w1 = P > 1 ? _mm512_loadu_ps(b1 + kk * PANEL) : w0;
        for (int r = 0; r < R; r++) {
            __m512 x = _mm512_set1_ps(a[(size_t)r * lda + kk]);
            acc[r][0] = _mm512_fmadd_ps(x, w0, acc[r][0]);
            if (P > 1) acc[r][1] = _mm512_fmadd_ps(x, w1, acc[r][1]);
        }
    }
    embed_finish_512(R, P, acc, bias, accumulate, c, ldc, m0, m1);
}

#define TILE512_CASE(R)                                                                             \
    case R:                                                                                         \
        if (P == 2)                                                                                 \
            tile_512(R, 2, k, a, lda, b, pstride, bias, accumulate, c, ldc, m0, m1);                \
        else                                                                                        \
            tile_512(R, 1, k, a, lda, b, pstride, bias, accumulate, c, ldc, m0, m1);                \
        break;

__attribute__((target("avx512f"))) static void rows_512(int R, int P, size_t k, const float *a, size_t lda,
                                                         const float *b, size_t pstride, const float *bias,
                                                         int accumulate, float *c, size_t ldc, __mmask16 m0,
                                                         __mmask16 m1) {
    switch (R) {
        TILE512_CASE(1) TILE512_CASE(2) TILE512_CASE(3) TILE512_CASE(4) TILE512_CASE(5) TILE512_CASE(6)
    }
}

__attribute__((target("avx512f"))) static void gemm_512(size_t m, size_t n, size_t k, const float *a, size_t lda,
                                                         const float *packed, const float *bias, int accumulate,
                                                         float *c, size_t ldc) {
    size_t panels = (n + PANEL - 1) / PANEL, chunk = embed_chunk_rows(k * sizeof(float), MR), pstride = k * PANEL;
    for (size_t m0 = 0; m0 < m; m0 += chunk) {
        size_t end = m0 + chunk < m ? m0 + chunk : m;
        for (size_t p = 0; p < panels; p += 2) {
            int P = p + 1 < panels ? 2 : 1;
            size_t cols0 = embed_panel_columns(n, p), cols1 = embed_panel_columns(n, p + 1);
            __mmask16 mk0 = (__mmask16)((1u << cols0) - 1), mk1 = (__mmask16)((1u << cols1) - 1);
            const float *bp = bias ? bias + p * PANEL : 0;
            for (size_t r = m0; r < end; r += MR) {
                int R = end - r < MR ? (int)(end - r) : MR;
                rows_512(R, P, k, a + r * lda, lda, packed + p * pstride, pstride, bp, accumulate,
                         c + r * ldc + p * PANEL, ldc, mk0, mk1);
            }
        }
    }
}

/* ---- AVX2 + FMA: R rows x one panel (two 8-float vectors) ---- */

__attribute__((target("avx2,fma"), always_inline)) static inline void tile_avx2(
    const int R, size_t k, const float *a, size_t lda, const float *b, const float *bias, int accumulate,
    float *c, size_t ldc, __m256i m0, __m256i m1) {
    __m256 acc[MR][2];
    for (int r = 0; r < R; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (size_t kk = 0; kk < k; kk++) {
        __m256 w0 = _mm256_loadu_ps(b + kk * PANEL), w1 = _mm256_loadu_ps(b + kk * PANEL + 8);
        for (int r = 0; r < R; r++) {
            __m256 x = _mm256_broadcast_ss(a + (size_t)r * lda + kk);
            acc[r][0] = _mm256_fmadd_ps(x, w0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(x, w1, acc[r][1]);
        }
    }
    embed_finish_avx2(R, acc, bias, accumulate, c, ldc, m0, m1);
}

#define TILE2_CASE(R)                                                                               \
    case R:                                                                                         \
        tile_avx2(R, k, a, lda, b, bias, accumulate, c, ldc, m0, m1);                               \
        break;

__attribute__((target("avx2,fma"))) static void rows_avx2(int R, size_t k, const float *a, size_t lda,
                                                           const float *b, const float *bias, int accumulate,
                                                           float *c, size_t ldc, __m256i m0, __m256i m1) {
    switch (R) {
        TILE2_CASE(1) TILE2_CASE(2) TILE2_CASE(3) TILE2_CASE(4) TILE2_CASE(5) TILE2_CASE(6)
    }
}

__attribute__((target("avx2,fma"))) static void gemm_avx2(size_t m, size_t n, size_t k, const float *a, size_t lda,
                                                           const float *packed, const float *bias, int accumulate,
                                                           float *c, size_t ldc) {
    size_t panels = (n + PANEL - 1) / PANEL, chunk = embed_chunk_rows(k * sizeof(float), MR);
    for (size_t m0 = 0; m0 < m; m0 += chunk) {
        size_t end = m0 + chunk < m ? m0 + chunk : m;
        for (size_t p = 0; p < panels; p++) {
            size_t cols = embed_panel_columns(n, p);
            __m256i mk0 = embed_lane_mask(cols < 8 ? cols : 8), mk1 = embed_lane_mask(cols > 8 ? cols - 8 : 0);
            const float *bp = bias ? bias + p * PANEL : 0;
            for (size_t r = m0; r < end; r += MR) {
                int R = end - r < MR ? (int)(end - r) : MR;
                rows_avx2(R, k, a + r * lda, lda, packed + p * k * PANEL, bp, accumulate, c + r * ldc + p * PANEL,
                          ldc, mk0, mk1);
            }
        }
    }
}

#endif /* EMBED_X86 */

chnsw_status chnsw_f32_gemm(chnsw_embed_kernel kernel, size_t m, size_t n, size_t k, const float *a, size_t lda,
                            const float *packed, const float *bias, int accumulate, float *c, size_t ldc) {
    if (!a || !packed || !c || m == 0 || n == 0 || k == 0 || lda < k || ldc < n) return CHNSW_ERR_INVALID_ARGUMENT;
    chnsw_status status = embed_resolve(&kernel, 0);
    if (status != CHNSW_OK) return status;
    switch (kernel) {
#ifdef EMBED_X86
    case CHNSW_EMBED_KERNEL_AVX512:
        gemm_512(m, n, k, a, lda, packed, bias, accumulate, c, ldc);
        break;
    case CHNSW_EMBED_KERNEL_AVX2:
        gemm_avx2(m, n, k, a, lda, packed, bias, accumulate, c, ldc);
        break;
#endif
    default:
        gemm_scalar(m, n, k, a, lda, packed, bias, accumulate, c, ldc);
    }
    return CHNSW_OK;
}
