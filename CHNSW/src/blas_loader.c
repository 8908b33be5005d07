/*
 * blas_loader.c - OpenBLAS, opened with dlopen() on first use instead of linked.
 *
 * Linking libopenblas makes every process run its load-time constructor, which starts the
 * library's thread pool: 2-4 ms of a 10-20 ms start-up for a CLI that often never scans
 * exactly. Here the library is opened once per process (pthread_once) by the first call that
 * needs it, and its four functions are called through typed pointers. The thread count a
 * program asks for before that is kept and applied right after the load, so a loaded library
 * ends up in the state a linked one would have been in.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "blas_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

/* CBLAS's constants and OpenBLAS's LP64 signatures (blasint is int in libopenblas.so.0; the
 * 64-bit-integer build has another soname, libopenblas64.so.0). Declared here, so building the
 * engine needs no BLAS header. */
enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };
typedef void (*sgemv_fn)(int order, int trans, int m, int n, float alpha, const float *a, int lda, const float *x,
                         int incx, float beta, float *y, int incy);
typedef void (*sgemm_fn)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
                         int lda, const float *b, int ldb, float beta, float *c, int ldc);
typedef void (*set_threads_fn)(int count);
typedef int (*get_threads_fn)(void);

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const char *library_name = CHNSW_BLAS_SONAME;
/* Written once inside load(); read by other threads only after pthread_once or after seeing `loaded`. */
static struct {
    sgemv_fn sgemv;
    sgemm_fn sgemm;
    set_threads_fn set_threads;
    get_threads_fn get_threads;
} blas;
static char load_error[512];
static atomic_bool loaded;
/* The count chnsw_blas_set_threads last asked for (0: none), applied when the library loads. */
static atomic_int wanted_threads;

static void load(void) {
    void *library = dlopen(library_name, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "%s", why ? why : library_name);
        return;
    }
    /* dlsym returns an object pointer; POSIX guarantees it converts to a function pointer. */
    blas.sgemv = (sgemv_fn)dlsym(library, "cblas_sgemv");
    blas.sgemm = (sgemm_fn)dlsym(library, "cblas_sgemm");
    blas.set_threads = (set_threads_fn)dlsym(library, "openblas_set_num_threads");
    blas.get_threads = (get_threads_fn)dlsym(library, "openblas_get_num_threads");
    if (!blas.sgemv || !blas.sgemm || !blas.set_threads || !blas.get_threads) {
        snprintf(load_error, sizeof load_error, "%s lacks cblas_sgemv, cblas_sgemm or openblas_*_num_threads",
                 library_name);
        return; /* left open: OpenBLAS does not support being unloaded cleanly */
    }
    /* Publish, then read the wanted count: a concurrent chnsw_blas_set_threads either sees
     * `loaded` and applies its count itself, or stored it before this load reads it (seq_cst). */
    atomic_store(&loaded, true);
    int count = atomic_load(&wanted_threads);
    if (count > 0) blas.set_threads(count);
}

/* Loads the library on the first call; whether it is usable. */
static bool ready(void) {
    pthread_once(&load_once, load);
    return atomic_load(&loaded);
}

chnsw_status chnsw_blas_load(void) {
    return ready() ? CHNSW_OK : CHNSW_ERR_BLAS_UNAVAILABLE;
}

const char *chnsw_blas_load_error(void) {
    return ready() ? NULL : load_error;
}

void chnsw_blas_set_threads(int count) {
    if (count < 1) count = 1;
    atomic_store(&wanted_threads, count);
    if (atomic_load(&loaded)) blas.set_threads(count);
}

chnsw_status chnsw_blas_threads(int *count) {
    if (!count) return CHNSW_ERR_INVALID_ARGUMENT;
    if (!ready()) return CHNSW_ERR_BLAS_UNAVAILABLE;
    *count = blas.get_threads();
    return CHNSW_OK;
}

chnsw_status chnsw_blas_sgemv(size_t rows, size_t dim, const float *a, size_t lda, const float *x, float *y) {
    if (!ready()) return CHNSW_ERR_BLAS_UNAVAILABLE;
    blas.sgemv(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, (int)rows, (int)dim, 1.0f, a, (int)lda, x, 1, 0.0f, y, 1);
    return CHNSW_OK;
}

chnsw_status chnsw_blas_sgemm_nt(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                                 size_t ldb, float *c) {
    if (!ready()) return CHNSW_ERR_BLAS_UNAVAILABLE;
    blas.sgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_TRANS, (int)m, (int)n, (int)k, 1.0f, a, (int)lda, b, (int)ldb,
               0.0f, c, (int)n);
    return CHNSW_OK;
}

void chnsw_blas_use_library(const char *soname) {
    library_name = soname;
}
