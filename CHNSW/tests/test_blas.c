/*
 * test_blas.c - OpenBLAS through the engine's loader (blas_loader.c): several threads make the
 * process's first exact scans at once, beside a thread that sets the BLAS thread count, and every
 * answer matches brute force; a thread count set before the load is the one the loaded library
 * uses. (test_recall's exact batch and test_tenants' exact plans also run through the loader.)
 */
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>

enum { ROWS = 600, DIM = 48, QUERIES = 40, WORKERS = 4 };

typedef struct shared {
    chnsw_index *ix;
    const float *base;
    const uint32_t *tenants;
    const float *queries;
    atomic_int bad;
    atomic_int searches;
} shared;

/* Exact searches over one tenant (a run of 300 consecutive nodes: sgemv) and over the whole index
 * (scan_all: sgemv), each compared with brute force over the same rows. */
static void *searcher(void *arg) {
    shared *s = arg;
    unsigned char keep[ROWS];
    for (int q = 0; q < QUERIES; q++) {
        const float *query = s->queries + (size_t)q * DIM;
        for (uint32_t tenant = 0; tenant <= 2; tenant++) {
            chnsw_search_params p;
            chnsw_search_params_init(&p);
            p.k = 10;
            p.ef = 10;
            p.plan = CHNSW_PLAN_EXACT;
            p.restrict_to_tenant = tenant > 0;
            p.tenant = tenant;
            for (size_t i = 0; i < ROWS; i++) keep[i] = tenant == 0 || s->tenants[i] == tenant;
            uint64_t got[10], truth[10];
            uint32_t count = 0;
            chnsw_search_stats stats;
            chnsw_status status = chnsw_search(s->ix, query, DIM, &p, got, NULL, &count, &stats);
            size_t t = brute_force(CHNSW_METRIC_IP, s->base, ROWS, DIM, query, 10, keep, truth);
            if (status != CHNSW_OK || stats.plan != CHNSW_PLAN_EXACT || count != t || overlap(got, count, truth, t) != t)
                atomic_fetch_add(&s->bad, 1);
            atomic_fetch_add(&s->searches, 1);
        }
    }
    return NULL;
}

static void *thread_setter(void *arg) {
    (void)arg;
    chnsw_blas_set_threads(1);
    return NULL;
}

static void test_first_use_from_many_threads(void) {
    rng r = {11};
    float *base = make_vectors(&r, ROWS, DIM, 6);
    float *queries = make_vectors(&r, QUERIES, DIM, 6);
    uint32_t tenants[ROWS];
    uint64_t labels[ROWS];
    for (size_t i = 0; i < ROWS; i++) {
        labels[i] = i;
        tenants[i] = i < ROWS / 2 ? 1 : 2;
    }
    chnsw_config c;
    chnsw_config_init(&c, DIM, CHNSW_METRIC_IP);
    shared s = {.base = base, .tenants = tenants, .queries = queries};
    CHECK_STATUS(chnsw_create(&c, &s.ix), CHNSW_OK);
    CHECK_STATUS(chnsw_add_batch(s.ix, ROWS, labels, tenants, base, DIM, 1, NULL), CHNSW_OK);
    pthread_t th[WORKERS + 1];
    for (int i = 0; i < WORKERS; i++) pthread_create(&th[i], NULL, searcher, &s);
    pthread_create(&th[WORKERS], NULL, thread_setter, NULL);
    for (int i = 0; i <= WORKERS; i++) pthread_join(th[i], NULL);
    CHECK(atomic_load(&s.bad) == 0);
    CHECK(atomic_load(&s.searches) == WORKERS * QUERIES * 3);
    chnsw_free(s.ix);
    free(base);
    free(queries);
}

/* main asked for 1 thread before anything loaded the library, whose own default (the
 * OPENBLAS_NUM_THREADS main sets) is 2 on a machine with two or more CPUs. */
static void test_thread_count_set_before_the_load(void) {
    int count = 0;
    CHECK_STATUS(chnsw_blas_load(), CHNSW_OK);
    CHECK(chnsw_blas_load_error() == NULL);
    CHECK_STATUS(chnsw_blas_threads(&count), CHNSW_OK);
    CHECK(count == 1);
    CHECK_STATUS(chnsw_blas_threads(NULL), CHNSW_ERR_INVALID_ARGUMENT);
}

int main(void) {
    /* Read by OpenBLAS's constructor when the loader opens it; no thread runs yet. */
    setenv("OPENBLAS_NUM_THREADS", "2", 1);
    chnsw_blas_set_threads(1);
    RUN(test_first_use_from_many_threads);
    RUN(test_thread_count_set_before_the_load);
    return harness_finish("test_blas");
}
