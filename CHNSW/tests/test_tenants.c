/*
 * test_tenants.c - tenant isolation, filters, tombstones and the planner.
 *
 * Property tests: over random tenants, filters, removals and both plans, no search
 * ever returns a vector outside its filter or a removed label, and exact plans agree
 * with brute force.
 */
#include "harness.h"

typedef struct fixture {
    chnsw_index *ix;
    float *base;
    uint32_t *tenants;
    unsigned char *removed;
    size_t n;
    uint32_t dim;
} fixture;

static fixture make_fixture(size_t n, uint32_t dim, uint32_t tenant_count, uint32_t threshold, uint64_t seed) {
    fixture fx = {0};
    rng r = {seed};
    fx.n = n;
    fx.dim = dim;
    fx.base = make_vectors(&r, n, dim, 8);
    fx.tenants = malloc(n * sizeof(uint32_t));
    fx.removed = calloc(n, 1);
    uint64_t *labels = malloc(n * sizeof(uint64_t));
    for (size_t i = 0; i < n; i++) {
        labels[i] = i;
        /* skewed sizes: tenant 0 is large, the rest small */
        fx.tenants[i] = (rng_next(&r) % 3 == 0) ? 0 : 1 + (uint32_t)(rng_next(&r) % (tenant_count - 1));
    }
    chnsw_config c;
    chnsw_config_init(&c, dim, CHNSW_METRIC_COSINE);
    c.exact_scan_threshold = threshold;
    CHECK_STATUS(chnsw_create(&c, &fx.ix), CHNSW_OK);
    CHECK_STATUS(chnsw_add_batch(fx.ix, n, labels, fx.tenants, fx.base, dim, 2, NULL), CHNSW_OK);
    free(labels);
    return fx;
}

static void free_fixture(fixture *fx) {
    chnsw_free(fx->ix);
    free(fx->base);
    free(fx->tenants);
    free(fx->removed);
}

static int even_labels_only(uint64_t label, uint32_t tenant, void *context) {
    (void)tenant;
    (void)context;
    return label % 2 == 0;
}

/* Removes ~10% of labels, remembering which. */
static void remove_some(fixture *fx, rng *r) {
    for (size_t i = 0; i < fx->n; i++)
        if (rng_next(r) % 10 == 0) {
            CHECK_STATUS(chnsw_remove(fx->ix, i), CHNSW_OK);
            fx->removed[i] = 1;
        }
}

static void test_isolation_property(void) {
    const uint32_t tenant_count = 40;
    fixture fx = make_fixture(6000, 24, tenant_count, 150, 99);
    rng r = {1234};
    remove_some(&fx, &r);
    unsigned char *keep = malloc(fx.n);
    for (int trial = 0; trial < 300; trial++) {
        uint32_t tenant = (uint32_t)(rng_next(&r) % tenant_count);
        int use_predicate = rng_next(&r) % 3 == 0;
        chnsw_plan plan = (chnsw_plan)(rng_next(&r) % 3);
        const float *q = fx.base + (rng_next(&r) % fx.n) * fx.dim;
        for (size_t i = 0; i < fx.n; i++)
            keep[i] = fx.tenants[i] == tenant && !fx.removed[i] && (!use_predicate || i % 2 == 0);
        chnsw_search_params p;
        chnsw_search_params_init(&p);
        p.k = 10;
        p.ef = 40;
        p.restrict_to_tenant = 1;
        p.tenant = tenant;
        p.plan = plan;
        if (use_predicate) p.predicate = even_labels_only;
        uint64_t got[10], truth[10];
        float dists[10];
        uint32_t count = 0;
        chnsw_search_stats stats;
        CHECK_STATUS(chnsw_search(fx.ix, q, fx.dim, &p, got, dists, &count, &stats), CHNSW_OK);
        for (uint32_t i = 0; i < count; i++) {
            CHECK(got[i] < fx.n);
            CHECK(keep[got[i]]); /* never another tenant's, never removed, always passes the predicate */
        }
        size_t t = brute_force(CHNSW_METRIC_COSINE, fx.base, fx.n, fx.dim, q, 10, keep, truth);
        if (plan != CHNSW_PLAN_GRAPH) CHECK(count == (t < 10 ? t : 10));
        if (stats.plan == CHNSW_PLAN_EXACT) CHECK(overlap(got, count, truth, t) == t);
        uint64_t tenant_live = 0;
        chnsw_tenant_size(fx.ix, tenant, &tenant_live);
        if (plan == CHNSW_PLAN_AUTO && tenant_live <= 150) CHECK(stats.plan == CHNSW_PLAN_EXACT);
        if (plan == CHNSW_PLAN_AUTO && tenant_live > 150 && count == (t < 10 ? t : 10)) CHECK(stats.plan == CHNSW_PLAN_GRAPH);
    }
    free(keep);
    free_fixture(&fx);
}

/* A large tenant goes through the filtered graph search and still finds its neighbours. */
static void test_filtered_graph_recall(void) {
    fixture fx = make_fixture(8000, 32, 4, 100, 5);
    rng r = {77};
    unsigned char *keep = malloc(fx.n);
    for (size_t i = 0; i < fx.n; i++) keep[i] = fx.tenants[i] == 0;
    size_t hits = 0, total = 0;
    for (int trial = 0; trial < 60; trial++) {
        const float *q = fx.base + (rng_next(&r) % fx.n) * fx.dim;
        chnsw_search_params p;
        chnsw_search_params_init(&p);
        p.ef = 80;
        p.restrict_to_tenant = 1;
        p.tenant = 0;
        uint64_t got[10], truth[10];
        uint32_t count;
        chnsw_search_stats stats;
        CHECK_STATUS(chnsw_search(fx.ix, q, fx.dim, &p, got, NULL, &count, &stats), CHNSW_OK);
        CHECK(stats.plan == CHNSW_PLAN_GRAPH);
        CHECK(stats.distance_count < fx.n / 2); /* it did not walk the whole graph */
        size_t t = brute_force(CHNSW_METRIC_COSINE, fx.base, fx.n, fx.dim, q, 10, keep, truth);
        hits += overlap(got, count, truth, t);
        total += t;
    }
    double recall = (double)hits / (double)total;
    fprintf(stderr, "    filtered graph recall@10 = %.3f\n", recall);
    CHECK(recall >= 0.95);
    free(keep);
    free_fixture(&fx);
}

/* Removed labels are never returned, by any plan; re-adding a removed label works (update). */
static void test_removed_never_returned(void) {
    fixture fx = make_fixture(3000, 16, 5, 200, 8);
    rng r = {3};
    remove_some(&fx, &r);
    for (size_t qi = 0; qi < 200; qi++) {
        const float *q = fx.base + qi * fx.dim;
        chnsw_search_params p;
        chnsw_search_params_init(&p);
        p.k = 50;
        p.ef = 50;
        p.plan = (chnsw_plan)(qi % 3);
        uint64_t got[50];
        uint32_t count;
        CHECK_STATUS(chnsw_search(fx.ix, q, fx.dim, &p, got, NULL, &count, NULL), CHNSW_OK);
        CHECK(count == 50);
        for (uint32_t i = 0; i < count; i++) CHECK(!fx.removed[got[i]]);
    }
    /* A removed vector searched for exactly is not found; after re-adding it is the top hit. */
    size_t victim = 0;
    while (!fx.removed[victim]) victim++;
    const float *v = fx.base + victim * fx.dim;
    chnsw_search_params p;
    chnsw_search_params_init(&p);
    uint64_t got[10];
    uint32_t count;
    CHECK_STATUS(chnsw_search(fx.ix, v, fx.dim, &p, got, NULL, &count, NULL), CHNSW_OK);
    CHECK(got[0] != victim);
    CHECK_STATUS(chnsw_add(fx.ix, victim, 9, v, fx.dim), CHNSW_OK);
    CHECK_STATUS(chnsw_search(fx.ix, v, fx.dim, &p, got, NULL, &count, NULL), CHNSW_OK);
    CHECK(got[0] == victim);
    p.restrict_to_tenant = 1;
    p.tenant = 9;
    p.k = 1;
    CHECK_STATUS(chnsw_search(fx.ix, v, fx.dim, &p, got, NULL, &count, NULL), CHNSW_OK);
    CHECK(count == 1 && got[0] == victim);
    uint64_t size = 0;
    CHECK_STATUS(chnsw_tenant_size(fx.ix, 9, &size), CHNSW_OK);
    CHECK(size == 1);
    free_fixture(&fx);
}

/* An allow-list restricts results to exactly its labels, duplicates and unknowns ignored. */
static void test_allow_list(void) {
    fixture fx = make_fixture(2000, 16, 3, 50, 21);
    uint64_t allow[] = {5, 17, 17, 400, 999999, 1500, 1999, 3, 8, 12, 44, 45};
    size_t allow_n = sizeof(allow) / sizeof(allow[0]);
    for (int plan = 0; plan < 3; plan++) {
        chnsw_search_params p;
        chnsw_search_params_init(&p);
        p.allow_labels = allow;
        p.allow_count = allow_n;
        p.plan = (chnsw_plan)plan;
        p.k = 10;
        uint64_t got[10];
        uint32_t count;
        CHECK_STATUS(chnsw_search(fx.ix, fx.base, fx.dim, &p, got, NULL, &count, NULL), CHNSW_OK);
        if (plan != CHNSW_PLAN_GRAPH) CHECK(count == 10); /* 10 distinct known labels */
        for (uint32_t i = 0; i < count; i++) {
            int listed = 0;
            for (size_t j = 0; j < allow_n; j++) listed |= allow[j] == got[i];
            CHECK(listed);
            for (uint32_t j = 0; j < i; j++) CHECK(got[j] != got[i]);
        }
    }
    free_fixture(&fx);
}

int main(void) {
    RUN(test_isolation_property);
    RUN(test_filtered_graph_recall);
    RUN(test_removed_never_returned);
    RUN(test_allow_list);
    return harness_finish("test_tenants");
}
