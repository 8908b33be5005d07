/*
 * distance.c - dot-product and squared-L2 kernels: portable C, AVX2+FMA and AVX-512F.
 *
 * The SIMD variants are compiled with __attribute__((target(...))) rather than a
 * -march flag, so one binary runs everywhere and each index picks the widest kernel
 * the CPU supports once, when it is created (chnsw_kernels_select).
 */
#include "internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CHNSW_X86 1
#endif

/* ---- portable ---- */

static float dot_scalar(const float *a, const float *b, size_t dim) {
    /* Four partial sums let the compiler pipeline the multiplies. */
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= dim; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < dim; i++) s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

static float l2sq_scalar(const float *a, const float *b, size_t dim) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= dim; i += 4) {
        float d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1];
        float d2 = a[i + 2] - b[i + 2], d3 = a[i + 3] - b[i + 3];
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
    }
    for (; i < dim; i++) {
        float d = a[i] - b[i];
        s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
}

#ifdef CHNSW_X86

/* ---- AVX2 + FMA ---- */

__attribute__((target("avx2,fma"))) static inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v);
    __m128 hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

__attribute__((target("avx2,fma"))) static float dot_avx2(const float *a, const float *b, size_t dim) {
    /* Two independent accumulators hide the FMA latency; 16 floats per iteration. */
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= dim; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    for (; i + 8 <= dim; i += 8)
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    float s = hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < dim; i++) s += a[i] * b[i];
    return s;
}

__attribute__((target("avx2,fma"))) static float l2sq_avx2(const float *a, const float *b, size_t dim) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= dim; i += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);
        acc1 = _mm256_fmadd_ps(d1, d1, acc1);
    }
    for (; i + 8 <= dim; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        acc0 = _mm256_fmadd_ps(d, d, acc0);
    }
    float s = hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < dim; i++) {
        float d = a[i] - b[i];
        s += d * d;
    }
    return s;
}

/* ---- AVX-512F ---- */

__attribute__((target("avx512f"))) static float dot_avx512(const float *a, const float *b, size_t dim) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= dim; i += 32) {
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
        acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), acc1);
    }
    acc0 = _mm512_add_ps(acc0, acc1);
    if (i + 16 <= dim) {
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
        i += 16;
    }
    if (i < dim) { /* masked tail: no scalar loop */
        __mmask16 mask = (__mmask16)((1u << (dim - i)) - 1u);
        acc0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i), acc0);
    }
    return _mm512_reduce_add_ps(acc0);
}

__attribute__((target("avx512f"))) static float l2sq_avx512(const float *a, const float *b, size_t dim) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= dim; i += 32) {
        __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
        acc0 = _mm512_fmadd_ps(d0, d0, acc0);
        acc1 = _mm512_fmadd_ps(d1, d1, acc1);
    }
    acc0 = _mm512_add_ps(acc0, acc1);
    if (i + 16 <= dim) {
        __m512 d = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        acc0 = _mm512_fmadd_ps(d, d, acc0);
        i += 16;
    }
    if (i < dim) {
        __mmask16 mask = (__mmask16)((1u << (dim - i)) - 1u);
        __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i));
        acc0 = _mm512_fmadd_ps(d, d, acc0);
    }
    return _mm512_reduce_add_ps(acc0);
}

#endif /* CHNSW_X86 */

int chnsw_kernel_supported(chnsw_kernel kernel) {
    switch (kernel) {
    case CHNSW_KERNEL_AUTO:
    case CHNSW_KERNEL_SCALAR:
        return 1;
#ifdef CHNSW_X86
    case CHNSW_KERNEL_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case CHNSW_KERNEL_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f");
#endif
    default:
        return 0;
    }
}

chnsw_status chnsw_kernels_select(chnsw_kernel wanted, kernels *out) {
    if (wanted == CHNSW_KERNEL_AUTO) {
        wanted = chnsw_kernel_supported(CHNSW_KERNEL_AVX512) ? CHNSW_KERNEL_AVX512
                 : chnsw_kernel_supported(CHNSW_KERNEL_AVX2) ? CHNSW_KERNEL_AVX2
                                                              : CHNSW_KERNEL_SCALAR;
    }
    if ((unsigned)wanted > CHNSW_KERNEL_AVX512) return CHNSW_ERR_INVALID_ARGUMENT;
    if (!chnsw_kernel_supported(wanted)) return CHNSW_ERR_UNSUPPORTED_KERNEL;
    out->kind = wanted;
    switch (wanted) {
#ifdef CHNSW_X86
    case CHNSW_KERNEL_AVX2:
        out->dot = dot_avx2;
        out->l2sq = l2sq_avx2;
        break;
    case CHNSW_KERNEL_AVX512:
        out->dot = dot_avx512;
        out->l2sq = l2sq_avx512;
        break;
#endif
    default:
        out->dot = dot_scalar;
        out->l2sq = l2sq_scalar;
        break;
    }
    return CHNSW_OK;
}
