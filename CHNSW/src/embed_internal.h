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

#endif /* CHNSW_EMBED_INTERNAL_H */
