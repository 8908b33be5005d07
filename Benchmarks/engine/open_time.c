/*
 * open_time.c - how long chnsw_load takes to open a saved index, and the heap it then holds.
 * Prints one line: open_ms (wall), cpu_ms and chnsw_info.memory_bytes (run under /usr/bin/time for the RSS).
 * With a second path, also saves the opened index there in the current format (A/B of formats).
 *
 *   make -C Benchmarks/engine open
 *   taskset -c 0 /usr/bin/time -f "maxrss_kb %M" Benchmarks/engine/open_time INDEX.chnsw [RESAVED.chnsw]
 */
#define _GNU_SOURCE
#include "chnsw.h"

#include <stdio.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s INDEX.chnsw [RESAVED.chnsw]\n", argv[0]);
        return 2;
    }
    struct timespec a, b, ca, cb;
    chnsw_index *ix;
    clock_gettime(CLOCK_MONOTONIC, &a);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
    chnsw_status st = chnsw_load(argv[1], NULL, CHNSW_KERNEL_AUTO, &ix);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (st != CHNSW_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], chnsw_status_name(st));
        return 1;
    }
    chnsw_info info;
    chnsw_get_info(ix, &info);
    /* cpu_ms (user + system of this process) is the steadier figure on a shared machine. */
    printf("open_ms %.1f cpu_ms %.1f memory_bytes %llu\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e6,
           ((cb.tv_sec - ca.tv_sec) * 1e9 + (cb.tv_nsec - ca.tv_nsec)) / 1e6, (unsigned long long)info.memory_bytes);
    if (argc == 3 && (st = chnsw_save(ix, argv[2])) != CHNSW_OK) {
        fprintf(stderr, "%s: %s\n", argv[2], chnsw_status_name(st));
        return 1;
    }
    chnsw_free(ix);
    return 0;
}
