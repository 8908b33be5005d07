/*
 * embed_gemm_f32.c - fp32 products of token rows by a packed weight matrix, for the encoder.
 *
 * Why not sgemm: with a dozen rows (one query), OpenBLAS spends most of each call packing the
 * weight matrix it is handed; here the weights are packed once at load, and each panel of 16
 * (AVX-512: 32) output columns is streamed once per block of rows while the rows' accumulators
 * stay in registers (6 rows x 2 vectors = 12 accumulators). Large batches are cut into row
 * chunks whose inputs fit in L2, so each packed panel is reread from L2, not memory.
 *
 * A query (AVX-512, up to FEW_ROWS rows) takes another path: its products read every weight once
 * and do only ~15 FMAs per weight, so they are bound by the stream of weights from L3 (or memory,
 * when other work evicted them), not by the arithmetic. All its rows (up to 28) go through a panel
 * in one pass, and the next panel is prefetched meanwhile.
 */
#include "embed_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#define EMBED_X86 1
#endif

/* MR: row tile of the batch path (6 rows x 2 panels). SMALL_ROWS: most rows of the few-row
 * path's tile (28 accumulators of the 32 zmm registers); from MR + 1 to FEW_ROWS rows take the
 * few-row path (above ~40 the batch path is as fast, and faster at 64; at MR rows or fewer the
 * few-row tile has too few accumulators to hide the FMA latency, and the batch tile is one pass). */
enum { MR = 6, PANEL = EMBED_PANEL, SMALL_ROWS = 28, FEW_ROWS = 40 };

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

__attribute__((target("avx512f"))) static void gemm_large_512(size_t m, size_t n, size_t k, const float *a, size_t lda,
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

/* ---- AVX-512F, few rows (a query): up to SMALL_ROWS rows x one panel per pass ---- */

/* R rows x one panel: R accumulators, each FMA takes its row's input straight from memory
 * (embedded broadcast), so one register of weights feeds every row and the panel streams in once
 * for the whole block. One 64-byte line of `next` (the next panel) is prefetched per input: the
 * weights of a layer come from L3 or memory, and without the prefetch that stream, not the
 * arithmetic, set the pace. */
__attribute__((target("avx512f"), always_inline)) static inline void tile_rows_512(
    const int R, size_t k, const float *a, size_t lda, const float *b, const float *next, const float *bias,
    int accumulate, float *c, size_t ldc, __mmask16 mask) {
    __m512 acc[SMALL_ROWS][2];
    for (int r = 0; r < R; r++) acc[r][0] = _mm512_setzero_ps();
    for (size_t kk = 0; kk < k; kk++) {
        __m512 w = _mm512_loadu_ps(b + kk * PANEL);
        _mm_prefetch((const char *)(next + kk * PANEL), _MM_HINT_T2);
        _Pragma("GCC unroll 28") for (int r = 0; r < R; r++)
            acc[r][0] = _mm512_fmadd_ps(_mm512_set1_ps(a[(size_t)r * lda + kk]), w, acc[r][0]);
    }
    embed_finish_512(R, 1, acc, bias, accumulate, c, ldc, mask, mask);
}

#define ROWS_CASE(R)                                                                                \
    case R:                                                                                         \
        tile_rows_512(R, k, a, lda, b, next, bias, accumulate, c, ldc, mask);                       \
        break;

__attribute__((target("avx512f"))) static void rows_few_512(int R, size_t k, const float *a, size_t lda,
                                                             const float *b, const float *next, const float *bias,
                                                             int accumulate, float *c, size_t ldc, __mmask16 mask) {
    switch (R) {
        ROWS_CASE(1) ROWS_CASE(2) ROWS_CASE(3) ROWS_CASE(4) ROWS_CASE(5) ROWS_CASE(6) ROWS_CASE(7)
        ROWS_CASE(8) ROWS_CASE(9) ROWS_CASE(10) ROWS_CASE(11) ROWS_CASE(12) ROWS_CASE(13) ROWS_CASE(14)
        ROWS_CASE(15) ROWS_CASE(16) ROWS_CASE(17) ROWS_CASE(18) ROWS_CASE(19) ROWS_CASE(20) ROWS_CASE(21)
        ROWS_CASE(22) ROWS_CASE(23) ROWS_CASE(24) ROWS_CASE(25) ROWS_CASE(26) ROWS_CASE(27) ROWS_CASE(28)
    }
}

/* MR < m <= FEW_ROWS: near-equal blocks of at most SMALL_ROWS rows (33 -> 17 + 16), panel by panel;
 * the first block streams the panel in (and prefetches the next), the others reread it from L1. */
__attribute__((target("avx512f"))) static void gemm_few_512(size_t m, size_t n, size_t k, const float *a, size_t lda,
                                                             const float *packed, const float *bias, int accumulate,
                                                             float *c, size_t ldc) {
    size_t panels = (n + PANEL - 1) / PANEL, pstride = k * PANEL;
    size_t blocks = (m + SMALL_ROWS - 1) / SMALL_ROWS, base = m / blocks, extra = m % blocks;
    for (size_t p = 0; p < panels; p++) {
        __mmask16 mask = (__mmask16)((1u << embed_panel_columns(n, p)) - 1);
        const float *bp = bias ? bias + p * PANEL : 0, *b = packed + p * pstride;
        /* Past the last panel the prefetch would touch memory not ours; prefetch this panel again. */
        const float *next = p + 1 < panels ? b + pstride : b;
        for (size_t block = 0, r = 0; block < blocks; block++) {
            int R = (int)(base + (block < extra));
            rows_few_512(R, k, a + r * lda, lda, b, block ? b : next, bp, accumulate, c + r * ldc + p * PANEL, ldc,
                         mask);
            r += (size_t)R;
        }
    }
}

__attribute__((target("avx512f"))) static void gemm_512(size_t m, size_t n, size_t k, const float *a, size_t lda,
                                                         const float *packed, const float *bias, int accumulate,
                                                         float *c, size_t ldc) {
    if (m > MR && m <= FEW_ROWS)
        gemm_few_512(m, n, k, a, lda, packed, bias, accumulate, c, ldc);
    else
        gemm_large_512(m, n, k, a, lda, packed, bias, accumulate, c, ldc);
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
