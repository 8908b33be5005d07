/*
 * test_recall.c - the graph finds the true neighbours: recall@10 against brute force
 * on seeded data, for every metric and kernel, single- and multi-threaded builds.
 */
#include "harness.h"

/* The bar: recall >= 0.95 at ef = 100 on 20k vectors, built on two threads. */
static void test_recall_20k(void) {
    rng r = {7};
    const size_t n = 20000, nq = 100;
    const uint32_t dim = 64;
    float *base = make_vectors(&r, n + nq, dim, 50); /* queries from the same clusters */
    float *queries = base + n * dim;
    chnsw_index *ix = harness_build(CHNSW_METRIC_IP, CHNSW_KERNEL_AUTO, base, n, dim, 2);
    double recall = harness_recall(ix, CHNSW_METRIC_IP, base, n, dim, queries, nq, 100);
    fprintf(stderr, "    recall@10 (20k, ef=100, 2 threads) = %.4f\n", recall);
    CHECK(recall >= 0.95);
    chnsw_info info;
    CHECK_STATUS(chnsw_get_info(ix, &info), CHNSW_OK);
    CHECK(info.live_count == n && info.node_count == n && info.removed_count == 0);
    CHECK(info.max_level >= 1);
    chnsw_free(ix);
    free(base);
}

/* Every metric and every kernel this CPU has gives the same quality. */
static void test_metrics_and_kernels(void) {
    rng r = {11};
    const size_t n = 3000, nq = 40;
    const uint32_t dim = 37; /* not a multiple of 8 or 16: exercises the kernels' tails */
    float *base = make_vectors(&r, n + nq, dim, 10);
    float *queries = base + n * dim;
    for (size_t i = 0; i < n * dim; i += 3) base[i] *= 1.7f; /* not unit length: IP and L2 differ from cosine */
    chnsw_metric metrics[] = {CHNSW_METRIC_L2, CHNSW_METRIC_IP, CHNSW_METRIC_COSINE};
    chnsw_kernel kernels[] = {CHNSW_KERNEL_SCALAR, CHNSW_KERNEL_AVX2, CHNSW_KERNEL_AVX512};
    for (int m = 0; m < 3; m++)
        for (int k = 0; k < 3; k++) {
            if (!chnsw_kernel_supported(kernels[k])) continue;
            chnsw_index *ix = harness_build(metrics[m], kernels[k], base, n, dim, 1);
            double recall = harness_recall(ix, metrics[m], base, n, dim, queries, nq, 64);
            if (recall < 0.95) fprintf(stderr, "    metric %d kernel %d recall %.3f\n", m, k, recall);
            CHECK(recall >= 0.95);
            chnsw_info info;
            chnsw_get_info(ix, &info);
            CHECK(info.kernel == kernels[k]);
            /* Distances agree with a double-precision reference. */
            chnsw_search_params p;
            chnsw_search_params_init(&p);
            uint64_t labels[10];
            float dists[10];
            uint32_t count;
            CHECK_STATUS(chnsw_search(ix, queries, dim, &p, labels, dists, &count, NULL), CHNSW_OK);
            for (uint32_t i = 0; i < count; i++) {
                float want = ref_distance(metrics[m], base + labels[i] * dim, queries, dim);
                CHECK(fabsf(want - dists[i]) < 1e-4f * (1 + fabsf(want)));
                if (i) CHECK(dists[i - 1] <= dists[i]);
            }
            chnsw_free(ix);
        }
    free(base);
}

/*
 * The walk ranks nodes by int8 codes and rescores the ef it kept in f32: at the service's
 * dimension (384), for every metric, the answers at ef 64 are the exact scan's nearly always,
 * and at any ef (here also a tight beam, ef = k) each distance is the f32 one, best first.
 */
static void test_walk_on_codes_reranks_exactly(void) {
    rng r = {13};
    const size_t n = 4000, nq = 60;
    const uint32_t dim = 384;
    float *base = make_vectors(&r, n + nq, dim, 20);
    float *queries = base + n * dim;
    for (size_t i = 0; i < n * dim; i += 5) base[i] *= 1.3f; /* uneven norms: L2 and IP differ from cosine */
    chnsw_metric metrics[] = {CHNSW_METRIC_L2, CHNSW_METRIC_IP, CHNSW_METRIC_COSINE};
    for (int m = 0; m < 3; m++) {
        chnsw_index *ix = harness_build(metrics[m], CHNSW_KERNEL_AUTO, base, n, dim, 1);
        chnsw_search_params graph, exact;
        chnsw_search_params_init(&graph);
        chnsw_search_params_init(&exact);
        exact.plan = CHNSW_PLAN_EXACT;
        size_t same_first = 0, hits = 0;
        for (size_t q = 0; q < nq; q++) {
            const float *query = queries + q * dim;
            uint64_t got[10], want[10];
            float dg[10], dw[10];
            uint32_t cg, cw;
            graph.ef = q % 2 ? 10 : 64; /* odd queries: only the distances are checked */
            CHECK_STATUS(chnsw_search(ix, query, dim, &graph, got, dg, &cg, NULL), CHNSW_OK);
            CHECK_STATUS(chnsw_search(ix, query, dim, &exact, want, dw, &cw, NULL), CHNSW_OK);
            CHECK(cg == 10 && cw == 10);
            for (uint32_t i = 0; i < cg; i++) {
                float ref = ref_distance(metrics[m], base + got[i] * dim, query, dim);
                CHECK(fabsf(ref - dg[i]) < 1e-4f * (1 + fabsf(ref)));
                if (i) CHECK(dg[i - 1] <= dg[i]);
            }
            if (graph.ef != 64) continue;
            same_first += got[0] == want[0];
            hits += overlap(got, cg, want, cw);
        }
        size_t asked = nq / 2;
        if (same_first < asked * 95 / 100 || hits < asked * 10 * 95 / 100)
            fprintf(stderr, "    metric %d: same first %zu/%zu, recall@10 at ef 64 %.3f\n", m, same_first, asked,
                    hits / (asked * 10.0));
        CHECK(same_first >= asked * 95 / 100);
        CHECK(hits >= asked * 10 * 95 / 100);
        chnsw_free(ix);
    }
    free(base);
}

/* The BLAS batch scan is exact and agrees with brute force. */
static void test_exact_batch(void) {
    rng r = {3};
    const size_t n = 5000, nq = 7;
    const uint32_t dim = 48;
    float *base = make_vectors(&r, n, dim, 0);
    float *queries = make_vectors(&r, nq, dim, 0);
    chnsw_metric metrics[] = {CHNSW_METRIC_L2, CHNSW_METRIC_IP};
    for (int m = 0; m < 2; m++) {
        chnsw_index *ix = harness_build(metrics[m], CHNSW_KERNEL_AUTO, base, n, dim, 1);
        uint64_t labels[nq * 10], truth[10];
        float dists[nq * 10];
        CHECK_STATUS(chnsw_search_exact_batch(ix, queries, nq, dim, 10, labels, dists), CHNSW_OK);
        for (size_t q = 0; q < nq; q++) {
            brute_force(metrics[m], base, n, dim, queries + q * dim, 10, NULL, truth);
            CHECK(overlap(labels + q * 10, 10, truth, 10) == 10);
        }
        chnsw_free(ix);
    }
    free(base);
    free(queries);
}

/* Linking walks on int8 codes up to 1,024 dimensions and on f32 vectors above (insert.c):
 * both give a graph of the quality, for every metric. */
static void test_wide_vectors_link_on_f32(void) {
    rng r = {17};
    const size_t n = 1500, nq = 30;
    const uint32_t dims[2] = {1024, 1100};
    chnsw_metric metrics[] = {CHNSW_METRIC_L2, CHNSW_METRIC_IP, CHNSW_METRIC_COSINE};
    for (int d = 0; d < 2; d++) {
        float *base = make_vectors(&r, n + nq, dims[d], 15);
        for (int m = 0; m < 3; m++) {
            chnsw_index *ix = harness_build(metrics[m], CHNSW_KERNEL_AUTO, base, n, dims[d], 2);
            double recall = harness_recall(ix, metrics[m], base, n, dims[d], base + n * dims[d], nq, 64);
            if (recall < 0.95) fprintf(stderr, "    dim %u metric %d recall %.3f\n", dims[d], m, recall);
            CHECK(recall >= 0.95);
            chnsw_free(ix);
        }
        free(base);
    }
}

/* The same inserts with the same seed give the same graph, so the same answers. */
static void test_deterministic(void) {
    rng r = {5};
    const size_t n = 2000;
    const uint32_t dim = 16;
    float *base = make_vectors(&r, n, dim, 4);
    chnsw_index *a = harness_build(CHNSW_METRIC_L2, CHNSW_KERNEL_AUTO, base, n, dim, 1);
    chnsw_index *b = harness_build(CHNSW_METRIC_L2, CHNSW_KERNEL_AUTO, base, n, dim, 1);
    chnsw_search_params p;
    chnsw_search_params_init(&p);
    p.ef = 10;
    for (size_t q = 0; q < 50; q++) {
        uint64_t la[10], lb[10];
        uint32_t ca, cb;
        chnsw_search(a, base + q * dim, dim, &p, la, NULL, &ca, NULL);
        chnsw_search(b, base + q * dim, dim, &p, lb, NULL, &cb, NULL);
        CHECK(ca == cb && memcmp(la, lb, ca * sizeof(uint64_t)) == 0);
    }
    chnsw_free(a);
    chnsw_free(b);
    free(base);
}

int main(void) {
    RUN(test_recall_20k);
    RUN(test_metrics_and_kernels);
    RUN(test_walk_on_codes_reranks_exactly);
    RUN(test_exact_batch);
    RUN(test_deterministic);
    RUN(test_wide_vectors_link_on_f32);
    return harness_finish("test_recall");
}
