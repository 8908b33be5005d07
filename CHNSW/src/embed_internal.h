/*
 * embed_internal.h - helpers shared by the encoder kernels (embed_*.c); all static inline.
 */
#ifndef CHNSW_EMBED_INTERNAL_H
#define CHNSW_EMBED_INTERNAL_H

#include "chnsw_embed.h"

/* Output columns per packed panel (one AVX-512 vector of floats or int32 sums). */
#define EMBED_PANEL 16

/* Checks `*kernel` and replaces AUTO with the widest kernel this CPU runs. */
static inline chnsw_status embed_resolve(chnsw_embed_kernel *kernel, int int8) {
    if ((unsigned)*kernel > CHNSW_EMBED_KERNEL_AVX512) return CHNSW_ERR_INVALID_ARGUMENT;
    if (!chnsw_embed_kernel_supported(*kernel, int8)) return CHNSW_ERR_UNSUPPORTED_KERNEL;
    if (*kernel == CHNSW_EMBED_KERNEL_AUTO) *kernel = chnsw_embed_kernel_best(int8);
    return CHNSW_OK;
}

/* Valid columns of panel p of an n-column output (16 but for the last panel; 0 past the end). */
static inline size_t embed_panel_columns(size_t n, size_t p) {
    if (p * EMBED_PANEL >= n) return 0;
    return n - p * EMBED_PANEL < EMBED_PANEL ? n - p * EMBED_PANEL : EMBED_PANEL;
}

/* Rows per chunk so that a chunk of inputs (rows x row_bytes) stays within ~768 KiB of L2,
 * a multiple of the row tile `tile`. */
static inline size_t embed_chunk_rows(size_t row_bytes, size_t tile) {
    size_t rows = (size_t)786432 / row_bytes / tile * tile;
    return rows < tile ? tile : rows;
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/* The end of a row tile of the fp32 products: c = acc + bias (+ c when accumulating) for R rows
 * and P panels of 16 columns, each panel masked to its valid columns. Inlined with constant R and
 * P, so the accumulators stay in registers. */
__attribute__((target("avx512f"), always_inline)) static inline void embed_finish_512(
    const int R, const int P, __m512 (*acc)[2], const float *bias, int accumulate, float *c, size_t ldc,
    __mmask16 m0, __mmask16 m1) {
    for (int v = 0; v < P; v++) {
        __mmask16 mask = v ? m1 : m0;
        __m512 add = bias ? _mm512_maskz_loadu_ps(mask, bias + v * EMBED_PANEL) : _mm512_setzero_ps();
        for (int r = 0; r < R; r++) {
            float *out = c + (size_t)r * ldc + v * EMBED_PANEL;
            __m512 value = _mm512_add_ps(acc[r][v], add);
            if (accumulate) value = _mm512_add_ps(value, _mm512_maskz_loadu_ps(mask, out));
            _mm512_mask_storeu_ps(out, mask, value);
        }
    }
}

/* The same for AVX2: one panel as two 8-float vectors, masked by m0 and m1. */
__attribute__((target("avx2,fma"), always_inline)) static inline void embed_finish_avx2(
    const int R, __m256 (*acc)[2], const float *bias, int accumulate, float *c, size_t ldc, __m256i m0,
    __m256i m1) {
    for (int v = 0; v < 2; v++) {
        __m256i mask = v ? m1 : m0;
        __m256 add = bias ? _mm256_maskload_ps(bias + v * 8, mask) : _mm256_setzero_ps();
        for (int r = 0; r < R; r++) {
            float *out = c + (size_t)r * ldc + v * 8;
            __m256 value = _mm256_add_ps(acc[r][v], add);
            if (accumulate) value = _mm256_add_ps(value, _mm256_maskload_ps(out, mask));
            _mm256_maskstore_ps(out, mask, value);
        }
    }
}

/* Lane masks for the first `cols` (0..8) floats of an AVX2 vector. */
__attribute__((target("avx2"))) static inline __m256i embed_lane_mask(size_t cols) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)cols), lanes);
}
#endif

#endif /* CHNSW_EMBED_INTERNAL_H */
