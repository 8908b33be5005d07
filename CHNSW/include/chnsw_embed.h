/*
 * chnsw_embed.h - the matrix kernels of the sentence encoder (PikaEmbeddings): fp32 and int8
 * products of a few token rows by a pre-packed weight matrix, multi-head self-attention, layer
 * normalisation and GELU.
 *
 * They live in the engine's C target because that is the project's one C target; they share
 * nothing with the index but chnsw_status.
 *
 * SHAPES. A linear layer is y = x . W^T + bias with W in PyTorch's row-major [n, k] layout
 * (n outputs, k inputs). The pack functions copy W once into the layout the kernels stream
 * (panels of 16 output columns, k-major inside a panel); the products then read every packed
 * byte once per block of rows, which is what makes products with M < 64 rows fast.
 *
 * INT8. Weights are quantised symmetrically per output channel to [-127, 127]; activations
 * symmetrically per row (token) to [-127, 127]. Products are summed exactly in int32 by every
 * kernel (AVX-512 VNNI, AVX2 vpmaddubsw/vpmaddwd, scalar), so all kernels give the same sums;
 * only the final float scaling may differ by rounding.
 *
 * KERNELS. CHNSW_EMBED_KERNEL_AUTO picks the widest the CPU supports (checked at run time with
 * cpuid, like the index's distance kernels): for fp32 AVX-512F, else AVX2+FMA, else scalar;
 * for int8 AVX-512 VNNI (with BW), else AVX2, else scalar.
 *
 * ERRORS. Every function that can fail returns a chnsw_status; bad input (NULL pointers, zero
 * sizes, strides shorter than a row, an unsupported kernel) is refused, never aborts.
 *
 * OWNERSHIP AND THREADS. Nothing is allocated: the caller owns every buffer and passes scratch
 * space. All functions are pure (no global state beyond the cached cpuid answer) and may run
 * concurrently on distinct output buffers; packed weights may be shared by any number of threads.
 * The one exception is the team (chnsw_embed_team_*, *_gemm_team): an object with one worker
 * thread that the caller creates and destroys, which splits one product between two cores.
 */
#ifndef CHNSW_EMBED_H
#define CHNSW_EMBED_H

#include <stddef.h>
#include <stdint.h>

#include "chnsw.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Which instruction set an encoder kernel uses. */
typedef enum {
    CHNSW_EMBED_KERNEL_AUTO = 0,
    CHNSW_EMBED_KERNEL_SCALAR = 1,
    /** fp32: AVX2 + FMA; int8: AVX2 vpmaddubsw/vpmaddwd. */
    CHNSW_EMBED_KERNEL_AVX2 = 2,
    /** fp32: AVX-512F; int8: AVX-512 VNNI (vpdpbusd) with AVX-512BW. */
    CHNSW_EMBED_KERNEL_AVX512 = 3
} chnsw_embed_kernel;

/** Pure. 1 when `kernel` runs on this CPU for fp32 (`int8` = 0) or int8 (`int8` = 1) products. */
int chnsw_embed_kernel_supported(chnsw_embed_kernel kernel, int int8);

/** Pure. The kernel AUTO resolves to for fp32 (`int8` = 0) or int8 (`int8` = 1). */
chnsw_embed_kernel chnsw_embed_kernel_best(int int8);

/** Pure. Floats needed by chnsw_f32_pack for an [n, k] matrix (n rounded up to 16). */
size_t chnsw_f32_packed_count(size_t n, size_t k);

/** Pure. Packs the row-major [n, k] matrix `w` into `packed` (chnsw_f32_packed_count floats). */
chnsw_status chnsw_f32_pack(const float *w, size_t n, size_t k, float *packed);

/**
 * Pure. c[i][j] = (accumulate ? c[i][j] : 0) + sum_k a[i][k] * W[j][k] + (bias ? bias[j] : 0)
 * for i < m, j < n; `a` is row-major with row stride lda >= k, `c` with ldc >= n.
 */
chnsw_status chnsw_f32_gemm(chnsw_embed_kernel kernel, size_t m, size_t n, size_t k, const float *a, size_t lda,
                            const float *packed, const float *bias, int accumulate, float *c, size_t ldc);

/** Inputs per scale of the block-scaled fp32 products (chnsw_f32q_*): k must be a multiple. */
#define CHNSW_F32Q_BLOCK 32

/** Pure. Codes (bytes) chnsw_f32q_pack writes for an [n, k] matrix (n rounded up to 16). */
size_t chnsw_f32q_packed_codes(size_t n, size_t k);

/** Pure. Scales (floats) chnsw_f32q_pack writes for an [n, k] matrix: one per 32 inputs per column. */
size_t chnsw_f32q_packed_scales(size_t n, size_t k);

/**
 * Pure. Packs a matrix given as small integer codes and block scales, W[j][kk] = codes[j][kk] *
 * scales[j][kk / 32] (`codes` row-major [n, k], `scales` row-major [n, k / 32]; k a multiple of
 * CHNSW_F32Q_BLOCK), into chnsw_f32q_packed_codes bytes and chnsw_f32q_packed_scales floats. For
 * weights shipped quantised (a 4-bit model file): they stay a quarter of their fp32 size.
 */
chnsw_status chnsw_f32q_pack(const int8_t *codes, const float *scales, size_t n, size_t k, int8_t *packed,
                             float *packed_scales);

/**
 * Pure. chnsw_f32_gemm's product with W packed by chnsw_f32q_pack: each weight is expanded to
 * fp32 (code * scale, exact when the code has at most 8 bits and the scale at most 16) and the
 * sums are fp32, so results match chnsw_f32_gemm on the expanded matrix up to summation order.
 */
chnsw_status chnsw_f32q_gemm(chnsw_embed_kernel kernel, size_t m, size_t n, size_t k, const float *a, size_t lda,
                             const int8_t *packed, const float *scales, const float *bias, int accumulate, float *c,
                             size_t ldc);

/** Pure. Bytes needed by chnsw_s8_pack for an [n, k] matrix (n rounded up to 16, k to 4). */
size_t chnsw_s8_packed_count(size_t n, size_t k);

/** Pure. Row stride (bytes) of quantised activations for k inputs: k rounded up to 64. */
size_t chnsw_s8_row_stride(size_t k);

/**
 * Pure. Quantises the row-major [n, k] matrix `w` per output row: scales[j] = max|W[j]| / 127,
 * packed codes round(W / scale) in [-127, 127], sums[j] = the sum of row j's codes (used by the
 * VNNI kernel's unsigned-activation correction). `scales` and `sums` hold n values.
 */
chnsw_status chnsw_s8_pack(const float *w, size_t n, size_t k, int8_t *packed, float *scales, int32_t *sums);

/**
 * Pure. Quantises each row of the [m, k] matrix `a` (stride lda): scales[i] = max|a[i]| / 127,
 * q[i][k] = round(a / scale) in [-127, 127]; the row is zero-padded to ldq, which must be at
 * least chnsw_s8_row_stride(k). A row of zeros gets scale 0. Every kernel writes the same codes
 * and scales (AVX-512F vectorises it; the others run the scalar loop); `kernel` as for
 * chnsw_f32_gemm (AUTO: the widest this CPU runs).
 */
chnsw_status chnsw_s8_quantize_rows(chnsw_embed_kernel kernel, size_t m, size_t k, const float *a, size_t lda,
                                    int8_t *q, size_t ldq, float *scales);

/**
 * Pure. c[i][j] = (accumulate ? c[i][j] : 0) + row_scales[i] * col_scales[j] * sum_k q[i][k] * W[j][k]
 * + (bias ? bias[j] : 0), with the integer sum exact in int32.
 */
chnsw_status chnsw_s8_gemm(chnsw_embed_kernel kernel, size_t m, size_t n, size_t k, const int8_t *q, size_t ldq,
                           const float *row_scales, const int8_t *packed, const float *col_scales,
                           const int32_t *col_sums, const float *bias, int accumulate, float *c, size_t ldc);

/** Pure. Floats of scratch chnsw_attention_f32 needs for a sequence of n tokens. */
size_t chnsw_attention_scratch_count(size_t n, size_t head_width);

/**
 * Pure. Multi-head self-attention of one sequence of n tokens without a mask: row t of `qkv`
 * (stride ldqkv) holds the token's query, key and value side by side, each heads * head_width
 * wide. For every head, context[t][head] = softmax(scale * q_t . K^T) . V, written into the
 * head's columns of row t of `context` (stride ldc). `scratch` holds
 * chnsw_attention_scratch_count(n, head_width) floats.
 */
chnsw_status chnsw_attention_f32(chnsw_embed_kernel kernel, size_t n, size_t heads, size_t head_width,
                                 const float *qkv, size_t ldqkv, float scale, float *context, size_t ldc,
                                 float *scratch);

/**
 * Pure. Layer normalisation in place of each of the m rows of x (n floats, row stride ldx >= n):
 * x = (x - mean) / sqrt(variance + epsilon) * gamma + beta, with the row's mean and (biased)
 * variance; gamma and beta hold n floats.
 */
chnsw_status chnsw_layer_norm_f32(chnsw_embed_kernel kernel, size_t m, size_t n, float *x, size_t ldx,
                                  const float *gamma, const float *beta, float epsilon);

/**
 * Pure. BERT's GELU in place of `count` floats, x * Phi(x) = x / 2 * (1 + erf(x / sqrt 2)), with erf
 * a rational approximation (absolute error below 5e-7).
 */
chnsw_status chnsw_gelu_f32(chnsw_embed_kernel kernel, size_t count, float *x);

/*
 * THE TEAM. The products of a query (a dozen rows) read every weight once and do little arithmetic
 * per weight; when other work has evicted part of the weights from the cache, one core's memory
 * bandwidth sets their pace. A team is the calling thread plus one worker thread: the *_gemm_team
 * functions cut the output columns into chunks of whole panels, the caller takes chunks from the
 * front and the worker from the back, and the results equal the single-thread function's bit for
 * bit (each column is computed by the same kernel in the same order). The caller never waits for
 * a worker that has not started; it waits only for a chunk the worker is running. One product at a
 * time uses the team: a product started while another holds it runs on its caller alone, as does
 * one given a NULL team. The idle worker polls for `spin_us` microseconds after its last chunk, then
 * sleeps on a futex (no CPU while idle).
 */

/** A calling thread plus one worker thread for splitting products (see THE TEAM). */
typedef struct chnsw_embed_team chnsw_embed_team;

/**
 * Starts a team's worker thread (named "pika-embed", every signal blocked). Returns NULL when this
 * thread may run on fewer than two CPUs (sched_getaffinity) or the thread cannot be created; a NULL
 * team is valid everywhere and means "alone".
 */
chnsw_embed_team *chnsw_embed_team_create(unsigned spin_us);

/** Stops and joins the worker and frees the team; no product may be running on it. NULL is ignored. */
void chnsw_embed_team_destroy(chnsw_embed_team *team);

/** Wakes a sleeping worker ahead of a product (a hint that saves the product its wake-up latency). */
void chnsw_embed_team_wake(chnsw_embed_team *team);

/** The worker's thread id (the Linux tid, as in /proc/self/task; 0 for NULL), for tests and diagnostics. */
long chnsw_embed_team_worker_id(chnsw_embed_team *team);

/** Chunks the team's worker has run since the team was created (0 for NULL): whether splits happen. */
uint64_t chnsw_embed_team_worker_chunks(chnsw_embed_team *team);

/** chnsw_f32_gemm, split between the team's two threads (same arguments, same results). */
chnsw_status chnsw_f32_gemm_team(chnsw_embed_team *team, chnsw_embed_kernel kernel, size_t m, size_t n, size_t k,
                                 const float *a, size_t lda, const float *packed, const float *bias, int accumulate,
                                 float *c, size_t ldc);

/** chnsw_f32q_gemm, split between the team's two threads (same arguments, same results). */
chnsw_status chnsw_f32q_gemm_team(chnsw_embed_team *team, chnsw_embed_kernel kernel, size_t m, size_t n, size_t k,
                                  const float *a, size_t lda, const int8_t *packed, const float *scales,
                                  const float *bias, int accumulate, float *c, size_t ldc);

/** chnsw_s8_gemm, split between the team's two threads (same arguments, same results). */
chnsw_status chnsw_s8_gemm_team(chnsw_embed_team *team, chnsw_embed_kernel kernel, size_t m, size_t n, size_t k,
                                const int8_t *q, size_t ldq, const float *row_scales, const int8_t *packed,
                                const float *col_scales, const int32_t *col_sums, const float *bias, int accumulate,
                                float *c, size_t ldc);

#ifdef __cplusplus
}
#endif

#endif /* CHNSW_EMBED_H */
