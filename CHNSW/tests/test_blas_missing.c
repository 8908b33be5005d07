/*
 * test_blas_missing.c - a machine without OpenBLAS: the loader is pointed at a library that does
 * not exist (before anything loads BLAS; the load happens once per process). Every call that
 * needs BLAS returns CHNSW_ERR_BLAS_UNAVAILABLE with a message naming libopenblas.so.0 and the
 * package, and does not crash; graph searches and short exact runs, which need no BLAS, still
 * answer.
 */
#include "harness.h"
#include "../src/blas_loader.h"

enum { ROWS = 400, DIM = 32 };

int main(void) {
    chnsw_blas_use_library("libchnsw-test-no-such-blas.so.0");
    chnsw_blas_set_threads(1); /* records the count; must not load or fail */

    rng r = {5};
    float *base = make_vectors(&r, ROWS, DIM, 4);
    uint32_t tenants[ROWS];
    uint64_t labels[ROWS];
    for (size_t i = 0; i < ROWS; i++) {
        labels[i] = i;
        tenants[i] = i < 8 ? 9 : 1; /* tenant 9: 8 consecutive nodes, scored without BLAS */
    }
    chnsw_config c;
    chnsw_config_init(&c, DIM, CHNSW_METRIC_IP);
    chnsw_index *ix = NULL;
    CHECK_STATUS(chnsw_create(&c, &ix), CHNSW_OK);
    CHECK_STATUS(chnsw_add_batch(ix, ROWS, labels, tenants, base, DIM, 1, NULL), CHNSW_OK);

    const float *q = base + 100 * DIM;
    chnsw_search_params p;
    chnsw_search_params_init(&p);
    p.k = 5;
    p.ef = 32;
    uint64_t got[5];
    float dist[5];
    uint32_t count = 99;

    p.plan = CHNSW_PLAN_EXACT; /* the whole index: one run of 400 nodes */
    CHECK_STATUS(chnsw_search(ix, q, DIM, &p, got, dist, &count, NULL), CHNSW_ERR_BLAS_UNAVAILABLE);
    CHECK(count == 0);
    p.restrict_to_tenant = 1; /* tenant 1: a run of 392 */
    p.tenant = 1;
    CHECK_STATUS(chnsw_search(ix, q, DIM, &p, got, dist, &count, NULL), CHNSW_ERR_BLAS_UNAVAILABLE);
    uint64_t batch_labels[5];
    float batch_dist[5];
    CHECK_STATUS(chnsw_search_exact_batch(ix, q, 1, DIM, 5, batch_labels, batch_dist), CHNSW_ERR_BLAS_UNAVAILABLE);

    p.tenant = 9; /* 8 nodes: scored one by one, no BLAS */
    CHECK_STATUS(chnsw_search(ix, q, DIM, &p, got, dist, &count, NULL), CHNSW_OK);
    CHECK(count == 5);
    p.restrict_to_tenant = 0;
    p.plan = CHNSW_PLAN_GRAPH;
    CHECK_STATUS(chnsw_search(ix, q, DIM, &p, got, dist, &count, NULL), CHNSW_OK);
    CHECK(count == 5 && got[0] == 100);

    int threads = -1;
    CHECK_STATUS(chnsw_blas_load(), CHNSW_ERR_BLAS_UNAVAILABLE);
    CHECK_STATUS(chnsw_blas_threads(&threads), CHNSW_ERR_BLAS_UNAVAILABLE);
    CHECK(threads == -1);
    const char *why = chnsw_blas_load_error();
    CHECK(why != NULL && strstr(why, "libchnsw-test-no-such-blas.so.0") != NULL);
    const char *message = chnsw_status_message(CHNSW_ERR_BLAS_UNAVAILABLE);
    CHECK(strstr(message, "libopenblas.so.0") != NULL && strstr(message, "libopenblas0") != NULL);
    CHECK(strcmp(chnsw_status_name(CHNSW_ERR_BLAS_UNAVAILABLE), "CHNSW_ERR_BLAS_UNAVAILABLE") == 0);

    chnsw_free(ix);
    free(base);
    return harness_finish("test_blas_missing");
}
