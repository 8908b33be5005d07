/*
 * test_block.c - chnsw_scan_block against brute force (all metrics, strides, tombstone
 * bitmaps, k beyond the row count), its bad inputs, and chnsw_crc32c's known values.
 */
#include "harness.h"

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

int main(void) {
    RUN(test_matches_brute_force);
    RUN(test_bad_input);
    RUN(test_crc32c);
    return harness_finish("test_block");
}
