/*
 * stream_read.c - how fast one core reads a cold 384 KB block (a 1,000-row tenant's int8
 * codes at 384-d) as 1, 2, 4 or 8 interleaved sequential streams, with 4 KiB pages or
 * (with `huge`) transparent huge pages. 10,000 blocks at random places in 384 MiB, far
 * larger than the L3, so each block is cold; prints the p50 per block.
 * The figure behind the int8 scan's four-stream kernel (CHNSW/src/block_q8.c).
 *
 *   make -C Benchmarks/engine stream_read
 *   taskset -c 0 Benchmarks/engine/stream_read [huge]
 */
#define _GNU_SOURCE
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include "bench_time.h"

enum { QUERIES = 10000 };

/* Sums a block read as `streams` equal parts, one 64-byte line of each part in turn. */
__attribute__((target("avx2"))) static int64_t sum_block(const int8_t *p, size_t bytes, int streams) {
    __m256i acc = _mm256_setzero_si256();
    size_t part = bytes / streams;
    for (size_t i = 0; i < part; i += 64)
        for (int s = 0; s < streams; s++) {
            const int8_t *line = p + s * part + i;
            acc = _mm256_add_epi8(acc, _mm256_add_epi8(_mm256_load_si256((const __m256i *)line),
                                                       _mm256_load_si256((const __m256i *)(line + 32))));
        }
    int8_t lanes[32];
    _mm256_storeu_si256((__m256i *)lanes, acc);
    int64_t sum = 0;
    for (int i = 0; i < 32; i++) sum += lanes[i];
    return sum;
}

int main(int argc, char **argv) {
    const size_t total = (size_t)384 << 20, block = 393216, blocks = total / block;
    int huge = argc > 1 && strcmp(argv[1], "huge") == 0;
    int8_t *memory = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return 1;
    if (huge) (void)madvise(memory, total, MADV_HUGEPAGE);
    memset(memory, 1, total);
    double *latency = malloc(QUERIES * sizeof(double));
    int64_t sink = 0;
    const int stream_counts[] = {1, 2, 4, 8};
    for (int round = 0; round < 2; round++)
        for (int v = 0; v < 4; v++) {
            srand(7);
            for (int q = 0; q < QUERIES; q++) {
                size_t b = (size_t)rand() % blocks;
                double t0 = now_us();
                sink += sum_block(memory + b * block, block, stream_counts[v]);
                latency[q] = now_us() - t0;
            }
            qsort(latency, QUERIES, sizeof(double), cmp_double);
            printf("{\"pages\":\"%s\",\"round\":%d,\"streams\":%d,\"p50_us\":%.1f}\n", huge ? "huge" : "4k", round,
                   stream_counts[v], latency[QUERIES / 2]);
        }
    return (int)(sink & 1);
}
