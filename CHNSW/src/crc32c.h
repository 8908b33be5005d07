/* crc32c.h - CRC-32C of a byte range; chain calls by passing the previous result. */
#ifndef CHNSW_CRC32C_H
#define CHNSW_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Everything declared below is internal to the library: hidden from its users (only the chnsw_*
 * functions of include/ are exported; `make -C CHNSW check-symbols` checks it). */
#pragma GCC visibility push(hidden)

/* chnsw_crc32c_update(0, data, n) is the CRC-32C of data. */
uint32_t chnsw_crc32c_update(uint32_t crc, const void *data, size_t n);

/* The same by table lookups alone: what chnsw_crc32c_update uses on a CPU without a CRC-32C
 * instruction. Exposed (hidden from the library's users) so tests check it on any machine. */
uint32_t chnsw_crc32c_portable(uint32_t crc, const void *data, size_t n);

#pragma GCC visibility pop

#endif
