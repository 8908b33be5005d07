/*
 * walk_codes.c - the int8 copy of the vectors that the search walks the graph on.
 *
 * An unfiltered search at 100k x 384 scores a few hundred random nodes, and each f32
 * vector is 1,536 bytes (24 cache lines) fetched from DRAM: the walk is bound by memory,
 * not arithmetic. Every node therefore also keeps its vector as int8 codes with one scale
 * (chnsw_quantize_block's row format, 7 lines at 384-d) and its squared norm, and the walk
 * ranks nodes by the integer dot product of those with the query's int16 codes (the
 * block_q8.c kernels). The quantisation error is small (|x_i - scale * code_i| <= scale / 2,
 * scale = max|x_i| / 127) but not zero, so the search rescores the ef nodes the walk kept
 * with the f32 vectors and returns the best k of those, with exact distances (search.c).
 *
 * Each record also keeps the row's error bound (chnsw_quantize_block's), so the rescoring
 * can skip the kept nodes whose interval proves they cannot be among the k best (search.c).
 *
 * The records are derived data, but they are saved with the index (format version 2), so
 * opening a file copies them instead of quantising every vector again; a version-1 file
 * (no records) gets them rebuilt from its vectors on load.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

void chnsw_walk_codes_configure(chnsw_index *ix) {
    ix->code_scale_offset = ((size_t)ix->dim + 3) & ~(size_t)3;
    ix->code_stride = (ix->code_scale_offset + 3 * sizeof(float) + 63) & ~(size_t)63;
    ix->walk_dot = chnsw_q8_dot_kernel(ix->kern.kind);
    if (!ix->walk_dot) ix->walk_dot = chnsw_q8_dot_kernel(CHNSW_KERNEL_SCALAR);
}

void chnsw_walk_codes_store(chnsw_index *ix, node_id n) {
    uint8_t *record = ix->codes + (size_t)n * ix->code_stride;
    memset(record, 0, ix->code_stride); /* the padding too: records are saved whole */
    float tail[3] = {1.0f, ix->sq_norms[n], INFINITY}; /* scale, squared norm, error bound */
    /* Inserted vectors are finite. A loaded file's are not checked: a non-finite one leaves
     * codes that rank its node arbitrarily during the walk, and an infinite bound that has
     * the rescoring always score it, never a crash. */
    if (chnsw_q8_row_codes(node_vector(ix, n), ix->dim, (int8_t *)record, &tail[0], &tail[2]) != CHNSW_OK) tail[2] = INFINITY;
    memcpy(record + ix->code_scale_offset, tail, sizeof tail);
}
