/*
 * test_update.c - chnsw_update replaces a label's vector atomically.
 *
 * A failed update leaves the old version in place and searchable; a search that runs while
 * a writer updates a label again and again finds it every time, once (never neither version,
 * never both). Built under AddressSanitizer by `make check` and ThreadSanitizer by `make check-tsan`.
 */
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>

#define DIM 16
#define N 200
#define UPDATES 3000
#define READERS 2

static chnsw_index *make_index(const float *vectors, uint64_t max_elements) {
    chnsw_config c;
    chnsw_config_init(&c, DIM, CHNSW_METRIC_COSINE);
    c.max_elements = max_elements;
    chnsw_index *ix = NULL;
    CHECK_STATUS(chnsw_create(&c, &ix), CHNSW_OK);
    uint64_t labels[N];
    uint32_t tenants[N];
    for (uint64_t i = 0; i < N; i++) {
        labels[i] = i;
        tenants[i] = (uint32_t)(i % 2);
    }
    CHECK_STATUS(chnsw_add_batch(ix, N, labels, tenants, vectors, DIM, 1, NULL), CHNSW_OK);
    return ix;
}

/* The nearest label to q by an exact scan, and its distance. */
static uint64_t nearest(chnsw_index *ix, const float *q, float *distance) {
    chnsw_search_params p;
    chnsw_search_params_init(&p);
    p.k = 1;
    p.plan = CHNSW_PLAN_EXACT;
    uint64_t label = UINT64_MAX;
    uint32_t count = 0;
    CHECK_STATUS(chnsw_search(ix, q, DIM, &p, &label, distance, &count, NULL), CHNSW_OK);
    return count ? label : UINT64_MAX;
}

static void test_update_replaces_vector_and_tenant(const float *vectors) {
    chnsw_index *ix = make_index(vectors, 0);
    const float *fresh = vectors + (size_t)N * DIM; /* a row the index has not seen */
    CHECK_STATUS(chnsw_update(ix, 7, 0, fresh, DIM), CHNSW_OK); /* label 7 was tenant 1 (7 % 2) */
    float d = 1;
    CHECK(nearest(ix, fresh, &d) == 7 && d < 1e-5f);
    CHECK(nearest(ix, vectors + 7 * DIM, &d) != 7); /* the old vector is gone */
    uint64_t live = 0, t0 = 0, t1 = 0;
    CHECK_STATUS(chnsw_live_count(ix, &live), CHNSW_OK);
    CHECK(live == N);
    CHECK_STATUS(chnsw_tenant_size(ix, 0, &t0), CHNSW_OK);
    CHECK_STATUS(chnsw_tenant_size(ix, 1, &t1), CHNSW_OK);
    CHECK(t0 == N / 2 + 1 && t1 == N / 2 - 1);
    /* An absent label is inserted. */
    CHECK_STATUS(chnsw_update(ix, 1000, 0, fresh + DIM, DIM), CHNSW_OK);
    CHECK(nearest(ix, fresh + DIM, &d) == 1000);
    CHECK_STATUS(chnsw_live_count(ix, &live), CHNSW_OK);
    CHECK(live == N + 1);
    CHECK_STATUS(chnsw_update(NULL, 7, 0, fresh, DIM), CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_update(ix, 7, 0, NULL, DIM), CHNSW_ERR_INVALID_ARGUMENT);
    chnsw_free(ix);
}

/* Every way an insert can fail leaves the old version searchable and the counts as they were. */
static void test_failed_update_keeps_old_version(const float *vectors) {
    chnsw_index *ix = make_index(vectors, N); /* full: any insert exceeds max_elements */
    float bad[DIM];
    memcpy(bad, vectors, sizeof bad);
    bad[3] = NAN;
    float zero[DIM] = {0};
    CHECK_STATUS(chnsw_update(ix, 7, 1, vectors + (size_t)N * DIM, DIM), CHNSW_ERR_CAPACITY_EXCEEDED);
    CHECK_STATUS(chnsw_update(ix, 7, 1, bad, DIM), CHNSW_ERR_CAPACITY_EXCEEDED);
    chnsw_free(ix);

    ix = make_index(vectors, 0);
    CHECK_STATUS(chnsw_update(ix, 7, 1, bad, DIM), CHNSW_ERR_NON_FINITE);
    CHECK_STATUS(chnsw_update(ix, 7, 1, zero, DIM), CHNSW_ERR_ZERO_VECTOR);
    CHECK_STATUS(chnsw_update(ix, 7, 1, vectors, DIM - 1), CHNSW_ERR_DIMENSION_MISMATCH);
    float d = 1;
    CHECK(nearest(ix, vectors + 7 * DIM, &d) == 7 && d < 1e-5f);
    int present = 0;
    CHECK_STATUS(chnsw_contains(ix, 7, &present), CHNSW_OK);
    CHECK(present);
    uint64_t live = 0;
    CHECK_STATUS(chnsw_live_count(ix, &live), CHNSW_OK);
    CHECK(live == N);
    /* A later good update still works (the label map was restored, not lost). */
    CHECK_STATUS(chnsw_update(ix, 7, 1, vectors + (size_t)N * DIM, DIM), CHNSW_OK);
    CHECK(nearest(ix, vectors + (size_t)N * DIM, &d) == 7);
    chnsw_free(ix);
}

typedef struct shared {
    chnsw_index *ix;
    const float *target;   /* the query: label 0's two versions are its two nearest vectors */
    atomic_int done;
    atomic_long searches;
    atomic_int bad;
} shared;

/* Version v of label 0: the target moved a little, one way or the other. */
static void version(const float *target, int v, float *out) {
    for (int d = 0; d < DIM; d++) out[d] = target[d] + (v ? 0.01f : -0.01f) * (float)(d % 3);
}

static void *updater(void *arg) {
    shared *s = arg;
    float versions[2][DIM];
    version(s->target, 0, versions[0]);
    version(s->target, 1, versions[1]);
    for (int i = 0; i < UPDATES; i++) {
        chnsw_status st = chnsw_update(s->ix, 0, (uint32_t)(i % 2), versions[i % 2], DIM);
        if (st != CHNSW_OK) atomic_fetch_add(&s->bad, 1);
    }
    atomic_store(&s->done, 1);
    return NULL;
}

static void *searcher(void *arg) {
    shared *s = arg;
    chnsw_search_params p;
    chnsw_search_params_init(&p);
    p.k = 3;
    p.plan = CHNSW_PLAN_EXACT;
    while (!atomic_load(&s->done)) {
        uint64_t got[3];
        uint32_t count = 0;
        chnsw_status st = chnsw_search(s->ix, s->target, DIM, &p, got, NULL, &count, NULL);
        int seen = 0;
        for (uint32_t i = 0; i < count; i++) seen += got[i] == 0;
        if (st != CHNSW_OK || seen != 1) {
            fprintf(stderr, "  search during updates: %s, label 0 seen %d times\n", chnsw_status_name(st), seen);
            atomic_fetch_add(&s->bad, 1);
        }
        atomic_fetch_add(&s->searches, 1);
    }
    return NULL;
}

static void test_searches_during_updates_always_find_label(const float *vectors) {
    chnsw_index *ix = make_index(vectors, 0);
    shared s = {.ix = ix, .target = vectors + (size_t)N * DIM};
    float first[DIM];
    version(s.target, 1, first);
    CHECK_STATUS(chnsw_update(ix, 0, 0, first, DIM), CHNSW_OK); /* label 0 is near the target from the start */
    pthread_t w, r[READERS];
    for (int i = 0; i < READERS; i++) pthread_create(&r[i], NULL, searcher, &s);
    pthread_create(&w, NULL, updater, &s);
    pthread_join(w, NULL);
    for (int i = 0; i < READERS; i++) pthread_join(r[i], NULL);
    fprintf(stderr, "  %ld searches ran during %d updates\n", (long)atomic_load(&s.searches), UPDATES);
    CHECK(atomic_load(&s.bad) == 0);
    chnsw_info info;
    CHECK_STATUS(chnsw_get_info(ix, &info), CHNSW_OK);
    CHECK(info.live_count == N && info.removed_count == UPDATES + 1);
    chnsw_free(ix);
}

int main(void) {
    rng r = {7};
    float *vectors = make_vectors(&r, N + 2, DIM, 4);
    fprintf(stderr, "  test_update_replaces_vector_and_tenant\n");
    test_update_replaces_vector_and_tenant(vectors);
    fprintf(stderr, "  test_failed_update_keeps_old_version\n");
    test_failed_update_keeps_old_version(vectors);
    fprintf(stderr, "  test_searches_during_updates_always_find_label\n");
    test_searches_during_updates_always_find_label(vectors);
    free(vectors);
    return harness_finish("test_update");
}
