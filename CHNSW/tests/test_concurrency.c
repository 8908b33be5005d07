/*
 * test_concurrency.c - searches run while a writer inserts and removes.
 *
 * Built twice by the Makefile: under AddressSanitizer (a stress test) and under
 * ThreadSanitizer, which reports any data race between readers and the writer.
 * Labels are inserted in ascending order and only even labels are ever removed, so a
 * reader can check every result against what the writer had published. Last, several
 * threads run int8 block scans at once, racing the scan's one-time kernel choice, and several
 * look labels up in a just-opened index at once, racing the label map's build on first use.
 */
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <unistd.h>

#define DIM 16
#define TOTAL 3000
#define READERS 3

typedef struct shared {
    chnsw_index *ix;
    float *vectors;
    atomic_uint_fast64_t inserted;  /* labels below this are in the index (unless removed) */
    atomic_uint_fast64_t announced; /* labels at or above this have not been given to the index */
    atomic_int done;
    atomic_long searches;
    atomic_int bad;
} shared;

static void *writer(void *arg) {
    shared *s = arg;
    uint64_t labels[100];
    uint32_t tenants[100];
    for (uint64_t next = 0; next < TOTAL;) {
        if (next % 500 == 0) { /* batches on two threads, then single adds */
            atomic_store(&s->announced, next + 100);
            for (int i = 0; i < 100; i++) {
                labels[i] = next + (uint64_t)i;
                tenants[i] = (uint32_t)(labels[i] % 4);
            }
            chnsw_status st = chnsw_add_batch(s->ix, 100, labels, tenants, s->vectors + next * DIM, DIM, 2, NULL);
            if (st != CHNSW_OK) {
                fprintf(stderr, "  batch at %llu failed: %s\n", (unsigned long long)next, chnsw_status_name(st));
                atomic_fetch_add(&s->bad, 1);
            }
            next += 100;
        } else {
            atomic_store(&s->announced, next + 1);
            chnsw_status st = chnsw_add(s->ix, next, (uint32_t)(next % 4), s->vectors + next * DIM, DIM);
            if (st != CHNSW_OK) {
                fprintf(stderr, "  add %llu failed: %s\n", (unsigned long long)next, chnsw_status_name(st));
                atomic_fetch_add(&s->bad, 1);
            }
            next++;
        }
        atomic_store(&s->inserted, next);
        if (next % 7 == 0 && next >= 2) chnsw_remove(s->ix, (next - 2) & ~1ULL);
    }
    atomic_store(&s->done, 1);
    return NULL;
}

static void *reader(void *arg) {
    shared *s = arg;
    rng r = {(uint64_t)(uintptr_t)&r};
    while (!atomic_load(&s->done)) {
        uint64_t before = atomic_load(&s->inserted);
        if (before < 20) continue;
        chnsw_search_params p;
        chnsw_search_params_init(&p);
        p.k = 5;
        p.ef = 20;
        p.restrict_to_tenant = rng_next(&r) % 2;
        p.tenant = (uint32_t)(rng_next(&r) % 4);
        p.plan = (chnsw_plan)(rng_next(&r) % 3);
        uint64_t got[5];
        uint32_t count;
        const float *q = s->vectors + (rng_next(&r) % before) * DIM;
        chnsw_status st = chnsw_search(s->ix, q, DIM, &p, got, NULL, &count, NULL);
        if (st != CHNSW_OK && st != CHNSW_ERR_UNKNOWN_TENANT) {
            fprintf(stderr, "  search failed: %s\n", chnsw_status_name(st));
            atomic_fetch_add(&s->bad, 1);
        }
        uint64_t after = atomic_load(&s->announced);
        for (uint32_t i = 0; st == CHNSW_OK && i < count; i++) {
            bool unknown = got[i] >= after;                                     /* never inserted */
            bool foreign = p.restrict_to_tenant && got[i] % 4 != p.tenant;   /* wrong tenant */
            if (unknown || foreign) {
                fprintf(stderr, "  bad result %llu (announced < %llu, tenant %u, plan %d)\n",
                        (unsigned long long)got[i], (unsigned long long)after, p.tenant, (int)p.plan);
                atomic_fetch_add(&s->bad, 1);
            }
        }
        atomic_fetch_add(&s->searches, 1);
    }
    return NULL;
}

typedef struct q8_shared {
    const float *block;
    const int8_t *codes;
    const float *scales, *bounds;
    atomic_int bad;
} q8_shared;

static void *q8_scanner(void *arg) {
    q8_shared *s = arg;
    for (uint32_t t = 0; t < 200; t++) {
        const float *q = s->block + (size_t)(t * 13 % TOTAL) * DIM;
        uint64_t want[5], got[5];
        float want_d[5], got_d[5];
        uint32_t want_n = 0, got_n = 0;
        chnsw_status a = chnsw_scan_block(s->block, TOTAL, DIM, DIM, CHNSW_METRIC_IP, q, 5, NULL, want, want_d, &want_n);
        chnsw_status b = chnsw_scan_block_q8(s->block, s->codes, s->scales, s->bounds, TOTAL, DIM, DIM, CHNSW_METRIC_IP, q,
                                             5, NULL, got, got_d, &got_n);
        if (a != CHNSW_OK || b != CHNSW_OK || want_n != 5 || got_n != 5 || fabsf(want_d[4] - got_d[4]) > 1e-5f)
            atomic_fetch_add(&s->bad, 1);
    }
    return NULL;
}

/* Concurrent int8 scans of one shared block agree with the f32 scan (and, under TSan, race on nothing). */
static void test_concurrent_q8_scans(const float *vectors) {
    q8_shared s = {.block = vectors};
    int8_t *codes = malloc((size_t)TOTAL * DIM);
    float *scales = malloc(TOTAL * sizeof(float)), *bounds = malloc(TOTAL * sizeof(float));
    CHECK_STATUS(chnsw_quantize_block(vectors, TOTAL, DIM, DIM, codes, scales, bounds), CHNSW_OK);
    s.codes = codes;
    s.scales = scales;
    s.bounds = bounds;
    pthread_t th[READERS];
    for (int i = 0; i < READERS; i++) pthread_create(&th[i], NULL, q8_scanner, &s);
    for (int i = 0; i < READERS; i++) pthread_join(th[i], NULL);
    CHECK(atomic_load(&s.bad) == 0);
    free(codes);
    free(scales);
    free(bounds);
}

typedef struct lookup_shared {
    chnsw_index *ix;
    int expected[TOTAL]; /* chnsw_contains of the index that was saved */
    atomic_int bad;
} lookup_shared;

static void *label_looker(void *arg) {
    lookup_shared *s = arg;
    for (uint64_t l = 0; l < TOTAL; l++) {
        /* Info reads the map's size: it must not race the build either (first call included). */
        chnsw_info info;
        if (l % 100 == 0 && chnsw_get_info(s->ix, &info) != CHNSW_OK) atomic_fetch_add(&s->bad, 1);
        int present = 0;
        if (chnsw_contains(s->ix, l, &present) != CHNSW_OK || present != s->expected[l]) atomic_fetch_add(&s->bad, 1);
    }
    return NULL;
}

/* Readers of a just-opened index look labels up at once: one builds the label map, all see it whole. */
static void test_concurrent_first_lookups(chnsw_index *ix) {
    char path[] = "/tmp/chnsw-lookups-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    CHECK_STATUS(chnsw_save(ix, path), CHNSW_OK);
    static lookup_shared s;
    for (uint64_t l = 0; l < TOTAL; l++) CHECK_STATUS(chnsw_contains(ix, l, &s.expected[l]), CHNSW_OK);
    CHECK_STATUS(chnsw_load(path, NULL, CHNSW_KERNEL_AUTO, &s.ix), CHNSW_OK);
    pthread_t th[READERS];
    for (int i = 0; i < READERS; i++) pthread_create(&th[i], NULL, label_looker, &s);
    for (int i = 0; i < READERS; i++) pthread_join(th[i], NULL);
    CHECK(atomic_load(&s.bad) == 0);
    chnsw_free(s.ix);
    unlink(path);
}

int main(void) {
    rng r = {42};
    shared s = {0};
    s.vectors = make_vectors(&r, TOTAL, DIM, 5);
    chnsw_config c;
    chnsw_config_init(&c, DIM, CHNSW_METRIC_COSINE);
    c.exact_scan_threshold = 200;
    CHECK_STATUS(chnsw_create(&c, &s.ix), CHNSW_OK);
    pthread_t w, rd[READERS];
    pthread_create(&w, NULL, writer, &s);
    for (int i = 0; i < READERS; i++) pthread_create(&rd[i], NULL, reader, &s);
    pthread_join(w, NULL);
    for (int i = 0; i < READERS; i++) pthread_join(rd[i], NULL);
    fprintf(stderr, "  %ld searches ran during %d inserts\n", (long)atomic_load(&s.searches), TOTAL);
    CHECK(atomic_load(&s.bad) == 0);
    CHECK(atomic_load(&s.searches) > 100);
    /* Every surviving label is findable by its own vector afterwards. */
    chnsw_search_params p;
    chnsw_search_params_init(&p);
    p.k = 1;
    p.ef = 64;
    int misses = 0;
    for (uint64_t l = 1; l < TOTAL; l += 2) {
        uint64_t got;
        uint32_t count;
        chnsw_search(s.ix, s.vectors + l * DIM, DIM, &p, &got, NULL, &count, NULL);
        misses += got != l;
    }
    CHECK(misses < 15);
    test_concurrent_first_lookups(s.ix);
    chnsw_free(s.ix);
    test_concurrent_q8_scans(s.vectors);
    free(s.vectors);
    return harness_finish("test_concurrency");
}
