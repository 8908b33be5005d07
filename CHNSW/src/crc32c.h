/* crc32c.h - CRC-32C of a byte range; chain calls by passing the previous result. */
#ifndef CHNSW_CRC32C_H
#define CHNSW_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* crc32c_update(0, data, n) is the CRC-32C of data. */
uint32_t crc32c_update(uint32_t crc, const void *data, size_t n);

#endif
