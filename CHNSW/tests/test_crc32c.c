/*
 * test_crc32c.c - CRC-32C on both paths: the dispatched one (the CPU's instruction here) and the
 * table-driven fallback other CPUs take, against published vectors (RFC 3720 B.4, the "123456789"
 * check value) and against a bit-at-a-time reference over every length and alignment.
 */
#include "harness.h"
#include "../src/crc32c.h"

typedef uint32_t (*crc_fn)(uint32_t, const void *, size_t);

/* The definition, one bit at a time: slow and obviously right. */
static uint32_t reference_crc(uint32_t crc, const uint8_t *p, size_t n) {
    uint32_t c = ~crc;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int b = 0; b < 8; b++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
    }
    return ~c;
}

static void check_vectors(crc_fn crc) {
    uint8_t buf[32];
    CHECK(crc(0, "123456789", 9) == 0xE3069283u);
    memset(buf, 0, sizeof buf);
    CHECK(crc(0, buf, 32) == 0x8A9136AAu);
    memset(buf, 0xFF, sizeof buf);
    CHECK(crc(0, buf, 32) == 0x62A8AB43u);
    for (int i = 0; i < 32; i++) buf[i] = (uint8_t)i;
    CHECK(crc(0, buf, 32) == 0x46DD794Eu);
    for (int i = 0; i < 32; i++) buf[i] = (uint8_t)(31 - i);
    CHECK(crc(0, buf, 32) == 0x113FDB5Cu);
    CHECK(crc(0, buf, 0) == 0);
}

static void test_published_vectors(void) {
    check_vectors(chnsw_crc32c_update);
    check_vectors(chnsw_crc32c_portable);
    check_vectors(chnsw_crc32c);
}

/* Every length 0...300 at every alignment 0...7, whole and split in two chained calls. */
static void test_matches_reference(void) {
    uint8_t data[320];
    rng r = {7};
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)rng_next(&r);
    int mismatches = 0;
    for (size_t offset = 0; offset < 8; offset++) {
        for (size_t n = 0; n <= 300; n++) {
            const uint8_t *p = data + offset;
            uint32_t want = reference_crc(0, p, n);
            size_t cut = n / 3;
            if (chnsw_crc32c_portable(0, p, n) != want) mismatches++;
            if (chnsw_crc32c_update(0, p, n) != want) mismatches++;
            if (chnsw_crc32c_portable(chnsw_crc32c_portable(0, p, cut), p + cut, n - cut) != want) mismatches++;
        }
    }
    CHECK(mismatches == 0);
}

int main(void) {
    RUN(test_published_vectors);
    RUN(test_matches_reference);
    return harness_finish("test_crc32c");
}
