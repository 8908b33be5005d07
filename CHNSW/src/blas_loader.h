/*
 * blas_loader.h - the few OpenBLAS functions the engine calls, loaded on first use.
 *
 * The library is not linked: a process that never scans exactly (a graph search, `pika
 * --version`) does not pay for loading OpenBLAS, whose load-time constructor starts its thread
 * pool. The first call that needs BLAS dlopen()s libopenblas.so.0 once for the process.
 */
#ifndef CHNSW_BLAS_LOADER_H
#define CHNSW_BLAS_LOADER_H

#include "chnsw.h"

#include <stddef.h>

/* Everything declared below is internal to the library: hidden from its users (only the chnsw_*
 * functions of include/ are exported; `make -C CHNSW check-symbols` checks it). */
#pragma GCC visibility push(hidden)

/* The soname loaded, the one Debian's libopenblas0 (any of its -pthread/-openmp/-serial builds) provides. */
#define CHNSW_BLAS_SONAME "libopenblas.so.0"

/*
 * y[0..rows) = A x for the row-major rows x dim matrix A with row stride lda (cblas_sgemv with
 * alpha 1, beta 0, unit increments). CHNSW_OK, or CHNSW_ERR_BLAS_UNAVAILABLE (y untouched)
 * when OpenBLAS cannot be loaded.
 */
chnsw_status chnsw_blas_sgemv(size_t rows, size_t dim, const float *a, size_t lda, const float *x, float *y);

/*
 * c (m x n, row stride n) = A B^T for row-major A (m x k, row stride lda) and B (n x k, row
 * stride ldb) (cblas_sgemm with alpha 1, beta 0). CHNSW_OK or CHNSW_ERR_BLAS_UNAVAILABLE.
 */
chnsw_status chnsw_blas_sgemm_nt(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                                 size_t ldb, float *c);

/*
 * Tests only: loads `soname` instead of CHNSW_BLAS_SONAME. Takes effect only if called before the
 * process's first BLAS use (the load happens once).
 */
void chnsw_blas_use_library(const char *soname);

#pragma GCC visibility pop

#endif /* CHNSW_BLAS_LOADER_H */
