/*
 * test_block.c - chnsw_scan_block against brute force (all metrics, strides, tombstone
 * bitmaps, k beyond the row count), its bad inputs, and chnsw_crc32c's known values;
 * chnsw_scan_block_q8 (int8 codes + exact rerank) against chnsw_scan_block, including a
 * query built to defeat a bound that forgets the query's own quantisation, and its integer
 * kernels against each other.
 */
#include "harness.h"
/* the int8 scan's integer kernels, which are not public */
#include "../src/internal.h"

#include <stdint.h>

static float brute(chnsw_metric metric, const float *v, const float *q, uint32_t dim) {
    double dot = 0, l2 = 0, qn = 0;
    for (uint32_t i = 0; i < dim; i++) {
        dot += (double)v[i] * q[i];
        l2 += ((double)v[i] - q[i]) * ((double)v[i] - q[i]);
        qn += (double)q[i] * q[i];
    }
    if (metric == CHNSW_METRIC_L2) return (float)l2;
    if (metric == CHNSW_METRIC_COSINE) return (float)(1.0 - dot / sqrt(qn));
    return (float)(1.0 - dot);
}

static void test_matches_brute_force(void) {
    const uint32_t dim = 24, rows = 1300, stride = 32;
    uint64_t seed = 7;
    float *block = calloc((size_t)rows * stride, sizeof(float));
    float q[24];
    for (uint32_t r = 0; r < rows; r++) {
        double n = 0;
        for (uint32_t i = 0; i < dim; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            block[r * stride + i] = (float)((seed >> 33) % 2000) / 1000.0f - 1.0f;
            n += block[r * stride + i] * block[r * stride + i];
        }
        for (uint32_t i = 0; i < dim; i++) block[r * stride + i] /= (float)sqrt(n);
    }
    for (uint32_t i = 0; i < dim; i++) q[i] = (float)i / dim - 0.4f;
    uint8_t skip[(1300 + 7) / 8] = {0};
    for (uint32_t r = 0; r < rows; r += 3) skip[r >> 3] |= (uint8_t)(1u << (r & 7));
    chnsw_metric metrics[3] = {CHNSW_METRIC_L2, CHNSW_METRIC_IP, CHNSW_METRIC_COSINE};
    for (int m = 0; m < 3; m++) {
        uint64_t out[10];
        float dist[10];
        uint32_t count = 0;
        CHECK_STATUS(chnsw_scan_block(block, rows, dim, stride, metrics[m], q, 10, skip, out, dist, &count), CHNSW_OK);
        CHECK(count == 10);
        /* brute force: best 10 non-skipped */
        for (uint32_t j = 0; j < count; j++) {
            CHECK(out[j] % 3 != 0);
            CHECK(fabsf(dist[j] - brute(metrics[m], block + out[j] * stride, q, dim)) < 1e-4f);
            if (j > 0) CHECK(dist[j] >= dist[j - 1]);
            uint32_t better = 0;
            for (uint32_t r = 0; r < rows; r++)
                if (r % 3 != 0 && brute(metrics[m], block + r * stride, q, dim) < dist[j] - 1e-4f) better++;
            CHECK(better <= j);
        }
    }
    /* k beyond the rows: every row, best first */
    uint64_t out[64];
    float dist[64];
    uint32_t count = 0;
    CHECK_STATUS(chnsw_scan_block(block, 5, dim, stride, CHNSW_METRIC_IP, q, 64, NULL, out, dist, &count), CHNSW_OK);
    CHECK(count == 5);
    CHECK_STATUS(chnsw_scan_block(block, 0, dim, stride, CHNSW_METRIC_IP, q, 4, NULL, out, dist, &count), CHNSW_OK);
    CHECK(count == 0);
    free(block);
}

static void test_bad_input(void) {
    float block[8] = {1, 0, 0, 0, 0, 1, 0, 0};
    float q[4] = {1, 0, 0, 0};
    float zero[4] = {0};
    float nan_q[4] = {NAN, 0, 0, 0};
    uint64_t out[2];
    float dist[2];
    uint32_t count;
    CHECK_STATUS(chnsw_scan_block(NULL, 2, 4, 4, CHNSW_METRIC_IP, q, 1, NULL, out, dist, &count), CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_scan_block(block, 2, 4, 3, CHNSW_METRIC_IP, q, 1, NULL, out, dist, &count), CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_scan_block(block, 2, 0, 4, CHNSW_METRIC_IP, q, 1, NULL, out, dist, &count), CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_scan_block(block, 2, 4, 4, (chnsw_metric)9, q, 1, NULL, out, dist, &count), CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_scan_block(block, 2, 4, 4, CHNSW_METRIC_IP, q, 0, NULL, out, dist, &count), CHNSW_ERR_K_ZERO);
    CHECK_STATUS(chnsw_scan_block(block, 2, 4, 4, CHNSW_METRIC_IP, nan_q, 1, NULL, out, dist, &count), CHNSW_ERR_NON_FINITE);
    CHECK_STATUS(chnsw_scan_block(block, 2, 4, 4, CHNSW_METRIC_COSINE, zero, 1, NULL, out, dist, &count), CHNSW_ERR_ZERO_VECTOR);
    CHECK_STATUS(chnsw_scan_block(block, 2, 4, 4, CHNSW_METRIC_IP, q, 2, NULL, out, dist, &count), CHNSW_OK);
    CHECK(count == 2 && out[0] == 0 && out[1] == 1);
}

static void test_crc32c(void) {
    /* RFC 3720 B.4 test vectors and "123456789" = 0xE3069283. */
    const char *digits = "123456789";
    CHECK(chnsw_crc32c(0, digits, 9) == 0xE3069283u);
    uint8_t zeros[32] = {0};
    CHECK(chnsw_crc32c(0, zeros, 32) == 0x8A9136AAu);
    CHECK(chnsw_crc32c(chnsw_crc32c(0, digits, 4), digits + 4, 5) == 0xE3069283u);
    CHECK(chnsw_crc32c(5, NULL, 3) == 5);
}

static uint64_t lcg(uint64_t *seed) {
    *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
    return *seed >> 33;
}

/* The q8 scan must return what the f32 scan returns: same distances at every rank (to
 * f32 rounding), rows within a near-tie aside; on clustered rows with near-duplicates,
 * unit (cosine) and non-unit (inner product) vectors, skips, a tail dimension, a stride,
 * and more rows than one kernel call scores (2,048), so a second, partial span is read. */
static void test_q8_matches_f32_scan(void) {
    const uint32_t dims[2] = {45, 384}; /* 45 = 32 + 8 + 5: every loop of the kernel */
    for (int d = 0; d < 2; d++) {
        const uint32_t dim = dims[d], rows = 2500, stride = dim + 3;
        uint64_t seed = 11 + (uint64_t)d;
        float *block = calloc((size_t)rows * stride, sizeof(float));
        int8_t *codes = malloc((size_t)rows * dim);
        float *scales = malloc(rows * sizeof(float)), *bounds = malloc(rows * sizeof(float));
        float *centres = malloc(8 * (size_t)dim * sizeof(float));
        for (uint32_t i = 0; i < 8 * dim; i++) centres[i] = (float)(lcg(&seed) % 2000) / 1000.0f - 1.0f;
        for (uint32_t r = 0; r < rows; r++) {
            /* Every 50th row repeats the one before (exact ties); the rest are near a centre. */
            double n = 0;
            for (uint32_t i = 0; i < dim; i++) {
                float noise = (float)(lcg(&seed) % 2000) / 1000.0f - 1.0f;
                float v = r % 50 == 1 ? block[(r - 1) * stride + i] : centres[(r % 8) * dim + i] + 0.05f * noise;
                block[r * stride + i] = v;
                n += (double)v * v;
            }
            float scale = (r % 2 ? 1.0f : 2.5f) / (float)sqrt(n); /* IP: two norms */
            if (r % 50 != 1)
                for (uint32_t i = 0; i < dim; i++) block[r * stride + i] *= scale;
        }
        CHECK_STATUS(chnsw_quantize_block(block, rows, dim, stride, codes, scales, bounds), CHNSW_OK);
        uint8_t skip[2500 / 8 + 1] = {0};
        for (uint32_t r = 0; r < rows; r += 7) skip[r >> 3] |= (uint8_t)(1u << (r & 7));
        float *unit = calloc((size_t)rows * stride, sizeof(float)); /* cosine needs unit rows */
        for (uint32_t r = 0; r < rows; r++) {
            double n = 0;
            for (uint32_t i = 0; i < dim; i++) n += (double)block[r * stride + i] * block[r * stride + i];
            for (uint32_t i = 0; i < dim; i++) unit[r * stride + i] = block[r * stride + i] / (float)sqrt(n);
        }
        int8_t *unit_codes = malloc((size_t)rows * dim);
        float *unit_scales = malloc(rows * sizeof(float)), *unit_bounds = malloc(rows * sizeof(float));
        CHECK_STATUS(chnsw_quantize_block(unit, rows, dim, stride, unit_codes, unit_scales, unit_bounds), CHNSW_OK);
        float *q = malloc(dim * sizeof(float));
        for (int t = 0; t < 40; t++) {
            /* Queries near a row (many close candidates) or at random. */
            uint32_t near = (uint32_t)(lcg(&seed) % rows);
            for (uint32_t i = 0; i < dim; i++)
                q[i] = (t % 2 ? block[near * stride + i] : 0) + 0.02f * ((float)(lcg(&seed) % 2000) / 1000.0f - 1.0f);
            chnsw_metric metric = t % 4 < 2 ? CHNSW_METRIC_IP : CHNSW_METRIC_COSINE;
            const float *b = metric == CHNSW_METRIC_IP ? block : unit;
            const int8_t *c = metric == CHNSW_METRIC_IP ? codes : unit_codes;
            const float *sc = metric == CHNSW_METRIC_IP ? scales : unit_scales;
            const float *bd = metric == CHNSW_METRIC_IP ? bounds : unit_bounds;
            uint32_t k = t % 3 == 0 ? 10 : t % 3 == 1 ? 1 : 50;
            const uint8_t *sk = t % 5 == 0 ? skip : NULL;
            uint64_t out_f[50], out_q[50];
            float dist_f[50], dist_q[50];
            uint32_t count_f = 0, count_q = 0;
            CHECK_STATUS(chnsw_scan_block(b, rows, dim, stride, metric, q, k, sk, out_f, dist_f, &count_f), CHNSW_OK);
            CHECK_STATUS(chnsw_scan_block_q8(b, c, sc, bd, rows, dim, stride, metric, q, k, sk, out_q, dist_q, &count_q),
                         CHNSW_OK);
            CHECK(count_q == count_f && count_q == k);
            for (uint32_t j = 0; j < count_q; j++) {
                CHECK(fabsf(dist_q[j] - dist_f[j]) < 1e-5f);
                CHECK(out_q[j] == out_f[j] || fabsf(dist_f[j] - brute(metric, b + out_q[j] * stride, q, dim)) < 1e-5f);
                if (sk) CHECK(out_q[j] % 7 != 0);
                if (j > 0) CHECK(dist_q[j] >= dist_q[j - 1]);
            }
        }
        /* k beyond the rows, and no rows. */
        uint64_t out[64];
        float dist[64];
        uint32_t count = 0;
        CHECK_STATUS(chnsw_scan_block_q8(block, codes, scales, bounds, 5, dim, stride, CHNSW_METRIC_IP, q, 64, NULL, out, dist,
                                         &count), CHNSW_OK);
        CHECK(count == 5);
        CHECK_STATUS(chnsw_scan_block_q8(block, codes, scales, bounds, 0, dim, stride, CHNSW_METRIC_IP, q, 4, NULL, out, dist,
                                         &count), CHNSW_OK);
        CHECK(count == 0);
        free(q);
        free(unit_codes);
        free(unit_scales);
        free(unit_bounds);
        free(unit);
        free(centres);
        free(block);
        free(codes);
        free(scales);
        free(bounds);
    }
}

/* The largest int16 query code the q8 scan uses at this dimension (block_q8.c's
 * query_code_max): dim * M * 128 <= INT32_MAX, M <= 32767. */
static int32_t q8_query_code_max(uint32_t dim) {
    int64_t m = INT32_MAX / (128 * (int64_t)dim);
    return m > 32767 ? 32767 : (int32_t)m;
}

/* An adversarial query: one large coordinate sets the query's int16 scale s_q, and every
 * other coordinate is 0.45 s_q with the sign of row A's coordinate, so each rounds to code 0
 * and all the rounding errors add up along A. A's integer score then understates <q, A> by
 * 0.45 (dim - 1) s_q a, while decoy B (one coordinate, no rounding error) is scored exactly
 * and sits between the two. Bounds from the rows' quantisation alone (A's codes are exact)
 * would prove A out of the top 1; the scan must still return A, as the f32 scan does. */
static void test_q8_query_error_in_bound(void) {
    const uint32_t dims[2] = {384, 1024}; /* full int16 codes; reduced ones (M = 16383) */
    for (int d = 0; d < 2; d++) {
        const uint32_t dim = dims[d], rows = 40;
        const float m = (float)q8_query_code_max(dim), a = 1.0f / sqrtf((float)dim), spike = 1.0f;
        float *block = calloc((size_t)rows * dim, sizeof(float)), *q = malloc(dim * sizeof(float));
        int8_t *codes = malloc((size_t)rows * dim);
        float *scales = malloc(rows * sizeof(float)), *bounds = malloc(rows * sizeof(float));
        uint64_t seed = 5 + (uint64_t)d;
        const uint32_t row_a = 17, row_b = 3;
        for (uint32_t r = 0; r < rows; r++) /* fillers: small, far from the query */
            for (uint32_t i = 0; i < dim; i++) block[r * dim + i] = 0.01f * ((float)(lcg(&seed) % 2000) / 1000.0f - 1.0f);
        q[0] = spike;
        block[row_a * dim] = a;
        for (uint32_t i = 1; i < dim; i++) {
            float sign = lcg(&seed) % 2 ? 1.0f : -1.0f;
            block[row_a * dim + i] = sign * a;
            q[i] = sign * 0.45f * spike / m;
        }
        memset(block + row_b * dim, 0, dim * sizeof(float));
        block[row_b * dim] = a * (1.0f + 0.3f * (float)(dim - 1) / m);
        CHECK_STATUS(chnsw_quantize_block(block, rows, dim, dim, codes, scales, bounds), CHNSW_OK);
        uint64_t out_f[2], out_q[2];
        float dist_f[2], dist_q[2];
        uint32_t count_f = 0, count_q = 0;
        for (uint32_t k = 1; k <= 2; k++) {
            CHECK_STATUS(chnsw_scan_block(block, rows, dim, dim, CHNSW_METRIC_IP, q, k, NULL, out_f, dist_f, &count_f),
                         CHNSW_OK);
            CHECK_STATUS(chnsw_scan_block_q8(block, codes, scales, bounds, rows, dim, dim, CHNSW_METRIC_IP, q, k, NULL, out_q,
                                             dist_q, &count_q), CHNSW_OK);
            CHECK(count_f == k && out_f[0] == row_a && (k == 1 || out_f[1] == row_b)); /* the construction holds */
            CHECK(count_q == k && out_q[0] == row_a && (k == 1 || out_q[1] == row_b));
            CHECK(dist_q[0] == dist_f[0] || fabsf(dist_q[0] - dist_f[0]) < 1e-6f);
        }
        free(block);
        free(q);
        free(codes);
        free(scales);
        free(bounds);
    }
}

/* Every integer kernel this CPU runs returns the exact dot products (checked in 64 bits),
 * over every tail length and row count (the AVX2 kernel takes rows four at a time, one
 * from each quarter of the block, then the remainder one by one), with
 * codes at both extremes (-128 included) and query codes at the largest magnitude the scan
 * uses for that dimension. */
static void test_q8_kernels_agree(void) {
    enum { MAX_ROWS = 23 }; /* quarters of up to 5 rows, and every remainder */
    const uint32_t max_dim = 1100;
    int16_t *q = malloc(max_dim * sizeof(int16_t));
    int8_t *c = malloc((size_t)MAX_ROWS * max_dim);
    uint64_t seed = 99;
    chnsw_kernel kinds[4] = {CHNSW_KERNEL_SCALAR, CHNSW_KERNEL_AVX2, CHNSW_KERNEL_AVX512, CHNSW_KERNEL_AUTO};
    CHECK(chnsw_q8_dots_kernel(CHNSW_KERNEL_SCALAR) != NULL && chnsw_q8_dots_kernel(CHNSW_KERNEL_AUTO) != NULL);
    CHECK(chnsw_q8_dots_kernel((chnsw_kernel)9) == NULL);
    for (uint32_t dim = 1; dim <= max_dim; dim += dim < 70 ? 1 : 97) {
        int32_t m = q8_query_code_max(dim);
        for (int extreme = 0; extreme < 2; extreme++) {
            /* extreme: every product at the largest magnitude, one sign (the overflow case) */
            for (uint32_t i = 0; i < dim; i++)
                q[i] = (int16_t)(extreme ? -m : (int32_t)(lcg(&seed) % (2u * (uint32_t)m + 1)) - m);
            for (uint32_t i = 0; i < MAX_ROWS * dim; i++) c[i] = (int8_t)(extreme ? -128 : (int32_t)(lcg(&seed) % 256) - 128);
            int64_t want[MAX_ROWS];
            for (uint32_t r = 0; r < MAX_ROWS; r++) {
                want[r] = 0;
                for (uint32_t i = 0; i < dim; i++) want[r] += (int64_t)q[i] * c[r * dim + i];
                CHECK(want[r] <= INT32_MAX);
            }
            for (int k = 0; k < 4; k++) {
                /* The one-row kernels of the walk, AVX-512's included, give the same integers. */
                q8_dot_fn dot = chnsw_q8_dot_kernel(kinds[k]);
                if (dot)
                    for (uint32_t r = 0; r < MAX_ROWS; r++) CHECK(dot(q, c + r * dim, dim) == (int32_t)want[r]);
                q8_dots_fn dots = chnsw_q8_dots_kernel(kinds[k]);
                if (!dots) continue;
                for (uint32_t rows = 1; rows <= MAX_ROWS; rows++) {
                    int32_t got[MAX_ROWS];
                    dots(q, c, dim, rows, got);
                    for (uint32_t r = 0; r < rows; r++) CHECK(got[r] == (int32_t)want[r]);
                }
            }
        }
    }
    free(q);
    free(c);
}

/* A search quantises its query and sums its squares on every call, through vector paths where
 * the CPU has them (AVX2): the codes, the scale, the error sum and the norm must be the portable
 * loops' exactly (the rescoring's intervals and the cosine normalisation depend on them), for
 * every tail length, codes rounding half-way (to even), the clamp, and a denormal peak. */
static void test_query_prep_matches_portable(void) {
    const uint32_t max_dim = 1100;
    float *q = malloc(max_dim * sizeof(float));
    int16_t *got = malloc(max_dim * sizeof(int16_t)), *want = malloc(max_dim * sizeof(int16_t));
    uint64_t seed = 41;
    for (uint32_t dim = 1; dim <= max_dim; dim += dim < 40 ? 1 : 53) {
        for (int kind = 0; kind < 4; kind++) {
            for (uint32_t i = 0; i < dim; i++) {
                float u = (float)(lcg(&seed) % 20001) / 10000.0f - 1.0f;
                if (kind == 1) u = (float)((int32_t)(lcg(&seed) % 41) - 20) * 0.5f; /* many exact halves of the scale */
                if (kind == 2) u *= 0x1p-140f;                                      /* a denormal scale */
                if (kind == 3) u = 0;                                               /* no peak */
                q[i] = u;
            }
            if (kind == 1) q[0] = 20.0f * (float)q8_query_code_max(dim) / 32767.0f; /* peak sets scale ~ 1/2^k */
            double e_got = -1, e_want = -2;
            float s_got = chnsw_q8_query_codes(q, dim, got, &e_got);
            float s_want = chnsw_q8_query_codes_portable(q, dim, want, &e_want);
            CHECK(s_got == s_want && e_got == e_want && memcmp(got, want, dim * sizeof(int16_t)) == 0);
            CHECK(chnsw_sum_squares(q, dim) == chnsw_sum_squares_portable(q, dim));
        }
    }
    free(q);
    free(got);
    free(want);
}

static void test_q8_bad_input(void) {
    float block[8] = {1, 0, 0, 0, 0, 1, 0, 0};
    float q[4] = {1, 0, 0, 0}, zero[4] = {0}, nan_q[4] = {NAN, 0, 0, 0};
    int8_t codes[8];
    float scales[2], bounds[2];
    uint64_t out[2];
    float dist[2];
    uint32_t count;
    CHECK_STATUS(chnsw_quantize_block(block, 2, 4, 4, codes, scales, bounds), CHNSW_OK);
    CHECK(codes[0] == 127 && codes[1] == 0 && scales[0] > 0 && bounds[0] >= 0);
    CHECK_STATUS(chnsw_quantize_block(NULL, 2, 4, 4, codes, scales, bounds), CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_quantize_block(block, 2, 4, 3, codes, scales, bounds), CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_quantize_block(nan_q, 1, 4, 4, codes, scales, bounds), CHNSW_ERR_NON_FINITE);
    CHECK_STATUS(chnsw_scan_block_q8(block, NULL, scales, bounds, 2, 4, 4, CHNSW_METRIC_IP, q, 1, NULL, out, dist, &count),
                 CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_scan_block_q8(block, codes, scales, bounds, 2, 4, 4, CHNSW_METRIC_L2, q, 1, NULL, out, dist, &count),
                 CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_scan_block_q8(block, codes, scales, bounds, 2, 0, 4, CHNSW_METRIC_IP, q, 1, NULL, out, dist, &count),
                 CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_scan_block_q8(block, codes, scales, bounds, 2, 4, 4, CHNSW_METRIC_IP, q, 0, NULL, out, dist, &count),
                 CHNSW_ERR_K_ZERO);
    CHECK_STATUS(chnsw_scan_block_q8(block, codes, scales, bounds, 0, CHNSW_Q8_MAX_DIMENSION + 1, CHNSW_Q8_MAX_DIMENSION + 1,
                                     CHNSW_METRIC_IP, q, 1, NULL, out, dist, &count), CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_scan_block_q8(block, codes, scales, bounds, 2, 4, 4, CHNSW_METRIC_IP, nan_q, 1, NULL, out, dist,
                                     &count), CHNSW_ERR_NON_FINITE);
    CHECK_STATUS(chnsw_scan_block_q8(block, codes, scales, bounds, 2, 4, 4, CHNSW_METRIC_COSINE, zero, 1, NULL, out, dist,
                                     &count), CHNSW_ERR_ZERO_VECTOR);
    CHECK_STATUS(chnsw_scan_block_q8(block, codes, scales, bounds, 2, 4, 4, CHNSW_METRIC_IP, q, 2, NULL, out, dist, &count),
                 CHNSW_OK);
    CHECK(count == 2 && out[0] == 0 && out[1] == 1);
}

int main(void) {
    RUN(test_matches_brute_force);
    RUN(test_bad_input);
    RUN(test_crc32c);
    RUN(test_q8_matches_f32_scan);
    RUN(test_q8_query_error_in_bound);
    RUN(test_q8_kernels_agree);
    RUN(test_query_prep_matches_portable);
    RUN(test_q8_bad_input);
    return harness_finish("test_block");
}
