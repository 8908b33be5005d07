/*
 * block_q8.c - exact tenant scans that read one byte per dimension.
 *
 * A cold tenant block is bound by memory bandwidth: 1,000 rows of 384 f32 are 1.5 MB per
 * query. An int8 copy (one scale per row) is a quarter of that. The query is quantised once
 * per scan to int16, each row's approximate score is an integer dot product of the two code
 * vectors, and it comes with a proven error bound covering both the row's and the query's
 * quantisation and f32 rounding (the proof is above chnsw_scan_block_q8). The rows whose
 * interval can still reach the k best are rescored from the f32 rows, best lower bound
 * first, until the next lower bound is worse than the k-th exact distance, so the result
 * is exactly what the f32 scan would return (same rows, f32 distances).
 *
 * Kernels: portable C and AVX2 (vpmaddwd), picked once per process. The block scans have no
 * AVX-512 variant (a cold scan is bound by reading the codes, not by this kernel); the graph
 * walk's one-row kernel has one (chnsw_q8_dot_kernel), since its code records are often in cache.
 */
#include "internal.h"
/* after internal.h, which asks for _GNU_SOURCE before any system header */
#include "block_hits.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define Q8_X86 1
#endif

/* Relative slack in each row's stored bound for the f32 rounding of the exact dot product
 * the rescoring computes (off by at most ~dim * 2^-24 * ||q|| ||x||: 2.3e-5 at 384; the
 * approximate score is an exact integer, see the proof above chnsw_scan_block_q8). */
#define ROUNDING_SLACK 1e-4f

/* ---- approximate scores: <q16, code> in exact integer arithmetic ---- */

/*
 * The query is quantised once per scan to int16 codes of magnitude <= M (query_code_max), and
 * each row's score is the integer dot product of those with the row's int8 codes. Every
 * partial sum a kernel forms, in any order, is bounded by sum_i |q16_i| |code_i| <=
 * dim * M * 128 <= INT32_MAX, so no int32 accumulator can overflow and all kernels return
 * the same exact integer.
 */
static int32_t dot_q16_scalar(const int16_t *q, const int8_t *c, size_t dim) {
    int32_t s = 0;
    for (size_t i = 0; i < dim; i++) s += (int32_t)q[i] * c[i];
    return s;
}

static void dots_q16_scalar(const int16_t *q, const int8_t *codes, size_t dim, size_t rows, int32_t *out) {
    for (size_t r = 0; r < rows; r++) out[r] = dot_q16_scalar(q, codes + r * dim, dim);
}

#ifdef Q8_X86
/* 16 codes per step: sign-extend to int16 (vpmovsxbw), multiply-add pairs into int32
 * (vpmaddwd), accumulate (vpaddd); no float conversion, unlike an f32 x int8 kernel. */
__attribute__((target("avx2"))) static inline __m256i madd_step(__m256i acc, const int8_t *c, __m256i q) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)c)), q));
}

/* Sums the eight lanes of `a` and adds the products of the elements from `i` on (the tail that
 * a vector step does not cover): the end of every one-row kernel. */
__attribute__((target("avx2"))) static inline int32_t finish_q16(__m256i a, const int16_t *q, const int8_t *c, size_t i,
                                                                 size_t dim) {
    __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(1, 0, 3, 2)));
    sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(2, 3, 0, 1)));
    int32_t t = _mm_cvtsi128_si32(sum);
    for (; i < dim; i++) t += (int32_t)q[i] * c[i];
    return t;
}

/* The exact score of one row, with no prefetching (the remainder rows and single-row calls). */
__attribute__((target("avx2"))) static int32_t dot_q16_avx2(const int16_t *q, const int8_t *c, size_t dim) {
    __m256i a = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 16 <= dim; i += 16) a = madd_step(a, c + i, _mm256_loadu_si256((const __m256i *)(q + i)));
    return finish_q16(a, q, c, i, dim);
}

__attribute__((target("avx2"))) static void dots_q16_avx2(const int16_t *q, const int8_t *codes, size_t dim, size_t rows,
                                                          int32_t *out) {
    /* Four rows at a time, one from each quarter of the block: one query load serves four
     * rows, the four accumulators are independent chains, one horizontal reduction (vphaddd)
     * finishes all four, and memory sees four sequential streams instead of one. A cold
     * block is read much faster that way: on the reference machine four streams read 384 KB
     * in 22-27 us against 37-39 us for one (4 KiB pages; Benchmarks/engine/stream_read), and
     * the cold scan of a 1,000-row tenant went from 56 to 40 us (Benchmarks/engine/tenant_scan).
     * Software prefetching, which the single stream needed, then gained nothing in an A/B at
     * 1, 2 and 4 KB ahead, so there is none. */
    size_t quarter = rows / 4;
    for (size_t g = 0; g < quarter; g++) {
        const int8_t *c0 = codes + g * dim, *c1 = c0 + quarter * dim, *c2 = c1 + quarter * dim, *c3 = c2 + quarter * dim;
        __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
        size_t i = 0;
        for (; i + 16 <= dim; i += 16) {
            __m256i qv = _mm256_loadu_si256((const __m256i *)(q + i));
            a0 = madd_step(a0, c0 + i, qv);
            a1 = madd_step(a1, c1 + i, qv);
            a2 = madd_step(a2, c2 + i, qv);
            a3 = madd_step(a3, c3 + i, qv);
        }
        __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(a0, a1), _mm256_hadd_epi32(a2, a3));
        __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
        int32_t t[4];
        _mm_storeu_si128((__m128i *)t, sum);
        for (; i < dim; i++) {
            t[0] += (int32_t)q[i] * c0[i];
            t[1] += (int32_t)q[i] * c1[i];
            t[2] += (int32_t)q[i] * c2[i];
            t[3] += (int32_t)q[i] * c3[i];
        }
        out[g] = t[0];
        out[g + quarter] = t[1];
        out[g + 2 * quarter] = t[2];
        out[g + 3 * quarter] = t[3];
    }
    for (size_t r = 4 * quarter; r < rows; r++) out[r] = dot_q16_avx2(q, codes + r * dim, dim);
}
#endif

#ifdef Q8_X86
/* The walk's one-row score with 512-bit registers: 32 codes per step, half the steps of the
 * AVX2 kernel. A walk scores one row at a time from code records that are often in cache, so
 * the instruction count shows (on a 5k real set the AVX2 kernel was 28 % of a search's
 * samples); the block scans stream rows from memory and keep the AVX2 four-row kernel. */
__attribute__((target("avx2,avx512f,avx512bw"))) static int32_t dot_q16_avx512(const int16_t *q, const int8_t *c,
                                                                                  size_t dim) {
    __m512i a = _mm512_setzero_si512();
    size_t i = 0;
    for (; i + 32 <= dim; i += 32) {
        __m512i codes = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(c + i)));
        a = _mm512_add_epi32(a, _mm512_madd_epi16(codes, _mm512_loadu_si512((const void *)(q + i))));
    }
    __m256i h = _mm256_add_epi32(_mm512_castsi512_si256(a), _mm512_extracti64x4_epi64(a, 1));
    if (i + 16 <= dim) {
        h = madd_step(h, c + i, _mm256_loadu_si256((const __m256i *)(q + i)));
        i += 16;
    }
    return finish_q16(h, q, c, i, dim);
}

static bool avx512bw_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
}
#endif

q8_dot_fn chnsw_q8_dot_kernel(chnsw_kernel kind) {
    q8_dots_fn rows = chnsw_q8_dots_kernel(kind);
#ifdef Q8_X86
    bool wide = kind == CHNSW_KERNEL_AVX512 || (kind == CHNSW_KERNEL_AUTO && chnsw_kernel_supported(CHNSW_KERNEL_AVX512));
    if (rows == dots_q16_avx2) return wide && avx512bw_supported() ? dot_q16_avx512 : dot_q16_avx2;
#endif
    return rows ? dot_q16_scalar : NULL;
}

q8_dots_fn chnsw_q8_dots_kernel(chnsw_kernel kind) {
    switch (kind) {
    case CHNSW_KERNEL_SCALAR:
        return dots_q16_scalar;
#ifdef Q8_X86
    case CHNSW_KERNEL_AVX2:
    case CHNSW_KERNEL_AVX512: /* no AVX-512 block variant: the AVX2 one runs there (see the file comment) */
        return chnsw_kernel_supported(kind) ? dots_q16_avx2 : NULL;
#endif
    case CHNSW_KERNEL_AUTO:
#ifdef Q8_X86
        if (chnsw_kernel_supported(CHNSW_KERNEL_AVX2)) return dots_q16_avx2;
#endif
        return dots_q16_scalar;
    default:
        return NULL;
    }
}

/* The kernels every scan uses, chosen once per process (pthread_once: no data race). */
static pthread_once_t scan_kernels_once = PTHREAD_ONCE_INIT;
static q8_dots_fn scan_dots_q16;
static kernels scan_exact;

static void scan_kernels_pick(void) {
    scan_dots_q16 = chnsw_q8_dots_kernel(CHNSW_KERNEL_AUTO);
    chnsw_kernels_select(CHNSW_KERNEL_AUTO, &scan_exact);
}

/* ---- quantization ---- */

/* Codes of one row and their scale; the error bound too when `bound` is not NULL (the walk
 * codes of walk_codes.c need none, and skipping its double sums halves the work on load). */
static chnsw_status quantize_row(const float *x, uint32_t dim, int8_t *c, float *scale_out, float *bound) {
    float peak = 0;
    for (uint32_t i = 0; i < dim; i++) {
        if (!isfinite(x[i])) return CHNSW_ERR_NON_FINITE;
        float a = fabsf(x[i]);
        if (a > peak) peak = a;
    }
    float scale = peak > 0 ? peak / 127.0f : 1.0f;
    float inverse = 1.0f / scale;
    double err = 0, norm = 0;
    for (uint32_t i = 0; i < dim; i++) {
        /* Round to nearest by adding and removing 1.5 * 2^23 (|v| <= ~127, default
         * rounding mode): far faster than nearbyintf, and any rounding is fine since
         * the bound below measures the actual error. */
        float v = (x[i] * inverse + 12582912.0f) - 12582912.0f;
        v = v > 127.0f ? 127.0f : v < -127.0f ? -127.0f : v;
        c[i] = (int8_t)v;
        if (bound) {
            double e = (double)x[i] - (double)scale * v;
            err += e * e;
            norm += (double)x[i] * x[i];
        }
    }
    *scale_out = scale;
    /* Rounded up so the stored f32 bound is never below the true one. */
    if (bound) *bound = nextafterf((float)(sqrt(err) + ROUNDING_SLACK * sqrt(norm)), INFINITY);
    return CHNSW_OK;
}

chnsw_status chnsw_q8_row_codes(const float *x, uint32_t dim, int8_t *codes, float *scale, float *bound) {
    return quantize_row(x, dim, codes, scale, bound);
}

chnsw_status chnsw_quantize_block(const float *block, size_t rows, uint32_t dimension, size_t stride,
                                  int8_t *codes, float *scales, float *bounds) {
    if ((rows > 0 && (!block || !codes || !scales || !bounds)) || dimension == 0 || stride < dimension)
        return CHNSW_ERR_INVALID_ARGUMENT;
    for (size_t r = 0; r < rows; r++) {
        chnsw_status status = quantize_row(block + r * stride, dimension, codes + r * dimension, &scales[r], &bounds[r]);
        if (status != CHNSW_OK) return status;
    }
    return CHNSW_OK;
}

/* ---- the scan ---- */

/*
 * Why a row's interval holds the f32 distance the rescoring would compute.
 *
 * Write the (normalised) query q = s_q*qc + d, with qc its int16 codes and d the query's
 * rounding error (measured below, per query), and a row x = s_x*c + e, with c its int8
 * codes and ||e|| <= bound_x (chnsw_quantize_block). Then, exactly,
 *     <q, x> = s_x s_q <qc, c> + <q, e> + s_x <d, c>,
 * so  |<q, x> - s_x s_q <qc, c>| <= ||q|| ||e|| + |s_x| * 128 * ||d||_1
 * (Cauchy-Schwarz; then Hoelder with |c_i| <= 128 for any int8, which needs no ||c||).
 * <qc, c> itself is an exact integer (no overflow: see the kernels). Dropping the second
 * term is wrong: test_q8_query_error_in_bound builds a query whose rounding errors all line
 * up with a row's codes, and the scan then misses that row.
 *
 * Rounding. The rescoring computes fl(1 - dot_f32(q, x)); a dot product summed in any order
 * is off by at most gamma_dim ||q|| ||x|| (gamma_n = n u / (1 - n u), u = 2^-24), which the
 * relative slack ROUNDING_SLACK ||x|| inside bound_x covers for dim <= SLACK_COVERS_DIM.
 * Above that the scan adds gamma_dim ||q|| ||x|| itself, with ||x|| <= |s_x| 128 sqrt(dim)
 * + bound_x. The approximate score's own f32 steps (int32 to float, two products, 1 - sim,
 * the slack's sum, +- slack) and the final 1 - dot each err by at most u of their
 * magnitude, all below 1 + |sim| + slack: PAD = 2^-20 per unit of that covers them twice over.
 */
#define SLACK_COVERS_DIM 1600 /* gamma_1600 = 9.6e-5 <= ROUNDING_SLACK */
#define CODE_MAGNITUDE 128 /* the largest |int8|: holds even for a damaged code */
/* PAD (Q8_PAD) and the interval formula itself are in internal.h (q8_interval_slack), which the
 * bounded rescoring of a graph walk's kept nodes shares (search.c). */

/* Stack buffers for the common case (a tenant of ~1,000 rows of 384 dims, k = 10): the scan
 * then makes no allocation. About 11.5 KB of stack at most. */
#define STACK_DIM 1024
#define STACK_K 64
#define STACK_CANDIDATES 256
#define SCAN_SPAN 2048 /* rows scored per kernel call: a whole tenant of up to this many rows */
#define DOT_CHUNK 64   /* rows per interval pass */

/* The largest int16 query code M such that dim * M * CODE_MAGNITUDE <= INT32_MAX; >= 1 for
 * dim <= CHNSW_Q8_MAX_DIMENSION. 32767 (full int16) up to dim 512. */
static int32_t query_code_max(uint32_t dim) {
    int64_t m = INT32_MAX / ((int64_t)CODE_MAGNITUDE * dim);
    return m > INT16_MAX ? INT16_MAX : (int32_t)m;
}

#ifdef Q8_X86
/*
 * chnsw_q8_query_codes's three loops, four dimensions a step in double lanes: the same peak (a
 * maximum), the same codes (rounding half to even, as the portable loop's 1.5 * 2^52 trick does
 * under the default rounding mode, then the same clamp) and the same four partial error sums
 * lane by lane (no FMA), so the result is the portable one bit for bit. Ten times fewer
 * instructions: a search quantises its query every time (~1.3 us at 384-d in the portable loops).
 */
__attribute__((target("avx2"))) static float query_codes_avx2(const float *q, uint32_t dim, int16_t *codes,
                                                               double *l1_error, int32_t m) {
    const __m128 sign = _mm_set1_ps(-0.0f);
    __m128 peaks = _mm_setzero_ps();
    uint32_t i = 0;
    for (; i + 4 <= dim; i += 4) peaks = _mm_max_ps(peaks, _mm_andnot_ps(sign, _mm_loadu_ps(q + i)));
    float lanes_peak[4];
    _mm_storeu_ps(lanes_peak, peaks);
    float peak = 0;
    for (int j = 0; j < 4; j++) peak = lanes_peak[j] > peak ? lanes_peak[j] : peak;
    for (; i < dim; i++) peak = fabsf(q[i]) > peak ? fabsf(q[i]) : peak;
    float scale = peak > 0 ? peak / (float)m : 1.0f;
    if (scale == 0) scale = 0x1p-149f;
    double inverse = 1.0 / scale;
    const __m256d inv = _mm256_set1_pd(inverse), hi = _mm256_set1_pd(m), lo = _mm256_set1_pd(-m);
    const __m256d s = _mm256_set1_pd((double)scale), dsign = _mm256_set1_pd(-0.0);
    __m256d err = _mm256_setzero_pd();
    for (i = 0; i + 4 <= dim; i += 4) {
        __m256d x = _mm256_cvtps_pd(_mm_loadu_ps(q + i));
        __m256d v = _mm256_round_pd(_mm256_mul_pd(x, inv), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        v = _mm256_min_pd(_mm256_max_pd(v, lo), hi);
        __m128i c32 = _mm256_cvttpd_epi32(v);
        _mm_storel_epi64((__m128i *)(codes + i), _mm_packs_epi32(c32, c32));
        err = _mm256_add_pd(err, _mm256_andnot_pd(dsign, _mm256_sub_pd(x, _mm256_mul_pd(s, v))));
    }
    for (; i < dim; i++) {
        double v = (q[i] * inverse + 6755399441055744.0) - 6755399441055744.0;
        codes[i] = (int16_t)(v > m ? m : v < -m ? -m : v);
    }
    if (l1_error) {
        double e[4];
        _mm256_storeu_pd(e, err);
        for (uint32_t t = dim & ~3u; t < dim; t++) e[0] += fabs((double)q[t] - (double)scale * codes[t]);
        *l1_error = (e[0] + e[1]) + (e[2] + e[3]);
    }
    return scale;
}
#endif

float chnsw_q8_query_codes(const float *q, uint32_t dim, int16_t *codes, double *l1_error) {
#ifdef Q8_X86
    if (__builtin_cpu_supports("avx2")) return query_codes_avx2(q, dim, codes, l1_error, query_code_max(dim));
#endif
    return chnsw_q8_query_codes_portable(q, dim, codes, l1_error);
}

float chnsw_q8_query_codes_portable(const float *q, uint32_t dim, int16_t *codes, double *l1_error) {
    float peak = 0;
    for (uint32_t i = 0; i < dim; i++) {
        float a = fabsf(q[i]);
        peak = a > peak ? a : peak; /* branch-free: a max reduction the compiler vectorises */
    }
    int32_t m = query_code_max(dim);
    float scale = peak > 0 ? peak / (float)m : 1.0f;
    if (scale == 0) scale = 0x1p-149f; /* peak / m underflowed: any positive scale will do */
    /* Any code choice is sound: the error term is measured from the codes actually chosen.
     * Doubles keep q * (1 / s_q) finite even for a denormal scale. */
    double inverse = 1.0 / scale;
    for (uint32_t i = 0; i < dim; i++) {
        /* Round to nearest by adding and removing 1.5 * 2^52 (|v| <= 32768): nearbyint is a
         * libm call without SSE4.1, and any rounding is sound here. */
        double v = (q[i] * inverse + 6755399441055744.0) - 6755399441055744.0;
        v = v > m ? m : v < -m ? -m : v;
        codes[i] = (int16_t)v;
    }
    if (l1_error) {
        /* Four partial sums: a search pays this per query, and one serial chain of double adds
         * is ~4 cycles a dimension. Any summation order is covered by the caller's pad. */
        double err[4] = {0, 0, 0, 0};
        uint32_t i = 0;
        for (; i + 4 <= dim; i += 4)
            for (int j = 0; j < 4; j++) err[j] += fabs((double)q[i + j] - (double)scale * codes[i + j]); /* exact product */
        for (; i < dim; i++) err[0] += fabs((double)q[i] - (double)scale * codes[i]);
        *l1_error = (err[0] + err[1]) + (err[2] + err[3]);
    }
    return scale;
}

q8_query chnsw_q8_query_prepare(const float *q, uint32_t dim, double sq_norm, int16_t *codes) {
    double err;
    q8_query out = {.scale = chnsw_q8_query_codes(q, dim, codes, &err)};
    double norm = sqrt(sq_norm), slack = CODE_MAGNITUDE * err;
    if (dim > SLACK_COVERS_DIM) {
        double gamma = dim * 0x1p-24 / (1 - dim * 0x1p-24);
        slack += gamma * norm * CODE_MAGNITUDE * sqrt((double)dim);
        norm *= 1 + gamma;
    }
    /* Rounded up, with room for the double sums' own rounding (relative ~dim * 2^-53). */
    out.row_slack = nextafterf((float)(slack * (1 + 1e-9)), INFINITY);
    out.norm = nextafterf((float)(norm * (1 + 1e-9)), INFINITY);
    return out;
}

/* Each row's approximate distance and its slack (the interval is approx +- slack) for one
 * chunk of integer scores. A separate loop with no branches, so the compiler vectorises it;
 * damaged inputs come out non-finite or negative, which the caller tests for. */
static void row_intervals(const int32_t *restrict dots, const float *restrict scales, const float *restrict bounds,
                          size_t len, q8_query qq, float *restrict approx, float *restrict slack) {
    for (size_t j = 0; j < len; j++) {
        float sim = (scales[j] * qq.scale) * (float)dots[j];
        approx[j] = 1.0f - sim;
        slack[j] = q8_interval_slack(&qq, scales[j], bounds[j], sim);
    }
}

/* Whether an interval was computed from sound inputs (finite, non-negative slack). */
static inline int interval_sound(float approx, float slack) {
    return isfinite(approx) && slack >= 0 && isfinite(slack);
}

/* Asks for the f32 row's cache lines, to be read soon. */
static inline void prefetch_row(const float *row, uint32_t dim) {
    const char *p = (const char *)row;
    for (size_t at = 0; at < (size_t)dim * sizeof(float); at += 64) __builtin_prefetch(p + at);
}

/* Keeps only the candidates whose lower bound reaches cap; returns the new count. */
static size_t keep_reaching(block_hit *cand, size_t n, float cap) {
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (cand[i].distance <= cap) cand[kept++] = cand[i];
    return kept;
}

chnsw_status chnsw_scan_block_q8(const float *block, const int8_t *codes, const float *scales, const float *bounds,
                                 size_t rows, uint32_t dimension, size_t stride, chnsw_metric metric,
                                 const float *query, uint32_t k, const uint8_t *skip, uint64_t *rows_out,
                                 float *distances, uint32_t *count) {
    if (!query || !rows_out || !distances || !count || (rows > 0 && (!block || !codes || !scales || !bounds)))
        return CHNSW_ERR_INVALID_ARGUMENT;
    if (dimension == 0 || dimension > CHNSW_Q8_MAX_DIMENSION || stride < dimension) return CHNSW_ERR_INVALID_ARGUMENT;
    if (metric != CHNSW_METRIC_IP && metric != CHNSW_METRIC_COSINE) return CHNSW_ERR_INVALID_ARGUMENT;
    if (k == 0) return CHNSW_ERR_K_ZERO;
    *count = 0;
    double norm = 0;
    chnsw_status checked = block_query_check(query, dimension, metric, &norm);
    if (checked != CHNSW_OK) return checked;
    if (rows == 0) return CHNSW_OK;
    if (k > rows) k = (uint32_t)rows; /* at most `rows` results: keeps the heap's size bounded by rows too */

    float q_stack[STACK_DIM];
    int16_t q16_stack[STACK_DIM];
    block_hit top_stack[STACK_K], cand_stack[STACK_CANDIDATES];
    int small_dim = dimension <= STACK_DIM, small_k = k <= STACK_K;
    float *q = small_dim ? q_stack : malloc((size_t)dimension * sizeof(float));
    int16_t *q16 = small_dim ? q16_stack : malloc((size_t)dimension * sizeof(int16_t));
    block_hit *top = small_k ? top_stack : malloc((size_t)k * sizeof(block_hit)); /* k smallest upper bounds, then exact */
    block_hit *cand = cand_stack; /* rows whose lower bound reached the running cap; grows to `rows` if need be */
    size_t cand_capacity = STACK_CANDIDATES;
    chnsw_status status = CHNSW_OK;
    if (!q || !q16 || !top) {
        status = CHNSW_ERR_OUT_OF_MEMORY;
        goto done;
    }
    pthread_once(&scan_kernels_once, scan_kernels_pick);
    float scale = metric == CHNSW_METRIC_COSINE ? (float)(1.0 / sqrt(norm)) : 1.0f;
    double q_sq_norm = 0;
    for (uint32_t i = 0; i < dimension; i++) {
        q[i] = query[i] * scale;
        q_sq_norm += (double)q[i] * q[i];
    }
    q8_query qq = chnsw_q8_query_prepare(q, dimension, q_sq_norm, q16);

    /* Pass 1: an interval per live row. The k-th smallest upper bound so far (top[0]) only
     * falls, so a row whose lower bound is above it now can never be among the k best. */
    size_t n_top = 0, n_cand = 0;
    int32_t dots[SCAN_SPAN];
    float approxes[DOT_CHUNK], slacks[DOT_CHUNK];
    for (size_t base = 0; base < rows; base += DOT_CHUNK) {
        size_t len = rows - base < DOT_CHUNK ? rows - base : DOT_CHUNK;
        size_t in_span = base % SCAN_SPAN;
        if (in_span == 0) { /* score the next span in one call, so the kernel's streams span it */
            size_t span = rows - base < SCAN_SPAN ? rows - base : SCAN_SPAN;
            scan_dots_q16(q16, codes + base * dimension, dimension, span, dots);
        }
        row_intervals(dots + in_span, scales + base, bounds + base, len, qq, approxes, slacks);
        for (size_t j = 0; j < len; j++) {
            float approx = approxes[j], slack = slacks[j];
            /* Most rows stop here: a sound interval whose lower bound is above the k-th
             * smallest upper bound. Offering its upper bound (larger still) would change
             * nothing, so this is the test below without the heap. */
            if (n_top == k && approx - slack > top[0].distance && interval_sound(approx, slack)) continue;
            size_t r = base + j;
            if (block_row_skipped(skip, r)) continue;
            if (!interval_sound(approx, slack)) {
                /* A damaged scale or bound proves nothing: always rescore this row. */
                approx = 0;
                slack = INFINITY;
            }
            block_hits_offer(top, &n_top, k, (block_hit){approx + slack, r});
            block_hit lower = {approx - slack, r};
            if (n_top == k && lower.distance > top[0].distance) continue;
            if (n_cand == cand_capacity) {
                if (n_top == k) n_cand = keep_reaching(cand, n_cand, top[0].distance);
                if (n_cand > cand_capacity / 2) { /* still crowded: move to the heap, sized for every row */
                    block_hit *grown = malloc(rows * sizeof(block_hit));
                    if (!grown) {
                        status = CHNSW_ERR_OUT_OF_MEMORY;
                        goto done;
                    }
                    memcpy(grown, cand, n_cand * sizeof(block_hit));
                    cand = grown;
                    cand_capacity = rows;
                }
            }
            cand[n_cand++] = lower;
        }
    }
    /* Pass 2: only rows whose lower bound reaches the final cap can be among the k best. */
    if (n_top == k) n_cand = keep_reaching(cand, n_cand, top[0].distance);
    for (size_t i = n_cand / 2; i-- > 0;) block_hits_sift(cand, n_cand, i, 1); /* best lower bound on top */

    /* Pass 3: exact f32 distances, best lower bound first, until none can improve the k best. */
    size_t n = 0;
    while (n_cand > 0) {
        block_hit next = cand[0];
        if (n == k && next.distance > top[0].distance) break;
        cand[0] = cand[--n_cand];
        block_hits_sift(cand, n_cand, 0, 1);
        /* The next row to rescore (cold, 24 lines at 384-d) loads while this one is scored. */
        if (n_cand > 0) prefetch_row(block + cand[0].row * stride, dimension);
        uint64_t r = next.row;
        block_hits_offer(top, &n, k, (block_hit){1.0f - scan_exact.dot(q, block + r * stride, dimension), r});
    }
    *count = (uint32_t)n;
    block_hits_drain(top, n, rows_out, distances);
done:
    if (!small_dim) {
        free(q);
        free(q16);
    }
    if (!small_k) free(top);
    if (cand != cand_stack) free(cand);
    return status;
}
