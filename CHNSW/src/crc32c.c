/*
 * crc32c.c - CRC-32C (Castagnoli), the checksum of every file section.
 *
 * Uses the SSE4.2 crc32 instruction when the CPU has it (several GB/s, so a
 * checksum never dominates opening a file) and a portable bitwise loop otherwise.
 */
#include "crc32c.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif
#include <string.h>

static uint32_t bitwise_crc(uint32_t crc, const uint8_t *p, size_t n) {
    static const uint32_t poly = 0x82F63B78u;
    uint32_t c = ~crc;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int b = 0; b < 8; b++) c = (c >> 1) ^ (poly & (0u - (c & 1u)));
    }
    return ~c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t hw_crc(uint32_t crc, const uint8_t *p, size_t n) {
    uint64_t c = ~crc;
    while (n >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = _mm_crc32_u64(c, word);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n--) c32 = _mm_crc32_u8(c32, *p++);
    return ~c32;
}
#endif

uint32_t chnsw_crc32c_update(uint32_t crc, const void *data, size_t n) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse4.2")) return hw_crc(crc, data, n);
#endif
    return bitwise_crc(crc, data, n);
}
