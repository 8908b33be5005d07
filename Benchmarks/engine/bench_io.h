/*
 * bench_io.h - what the engine benchmarks share besides timing: reading a .fbin/.ibin file
 * (u32 rows, u32 columns, then rows x columns 4-byte values; Benchmarks/peers/binfmt.py) and
 * opening a saved index, exiting with a message on failure.
 */
#ifndef BENCH_IO_H
#define BENCH_IO_H

#include "chnsw.h"

#include <stdio.h>
#include <stdlib.h>

static void *read_bin(const char *path, uint32_t *rows, uint32_t *cols) {
    FILE *f = fopen(path, "rb");
    if (!f || fread(rows, 4, 1, f) != 1 || fread(cols, 4, 1, f) != 1) {
        fprintf(stderr, "%s: cannot read header\n", path);
        exit(2);
    }
    size_t n = (size_t)*rows * *cols;
    void *data = malloc(n * 4);
    if (fread(data, 4, n, f) != n) {
        fprintf(stderr, "%s: truncated\n", path);
        exit(2);
    }
    fclose(f);
    return data;
}

static chnsw_index *load_index(const char *path) {
    chnsw_index *ix;
    chnsw_status st = chnsw_load(path, NULL, CHNSW_KERNEL_AUTO, &ix);
    if (st != CHNSW_OK) {
        fprintf(stderr, "%s: %s\n", path, chnsw_status_name(st));
        exit(1);
    }
    return ix;
}

#endif
