/*
 * test_layer0.c - how a new node's layer-0 list is chosen (neighbors.c): on data where the
 * selection heuristic keeps fewer than M links for many nodes (low intrinsic dimension), a new
 * node's list is the heuristic's M filled up to 2M with the closest other candidates; on data
 * where it keeps all M for nearly every node (isotropic, high dimension), the list is the
 * heuristic's alone. Either way the graph finds the true neighbours.
 */
#include "harness.h"
#include "../src/internal.h" /* a node's layer-0 list and the heuristic's counts */

/*
 * Builds n isotropic unit vectors of `dim` dimensions on one thread and checks the share of the
 * heuristic's passes that kept all M, the last node's list (no later node has linked back to it,
 * so it holds what the node chose) and recall@10 at `ef` over 50 more vectors as queries.
 */
static void check_layer0(uint64_t seed, size_t n, uint32_t dim, bool fills, uint32_t ef, double min_recall) {
    rng r = {seed};
    const size_t nq = 50;
    float *base = make_vectors(&r, n + nq, dim, 0);
    chnsw_index *ix = harness_build(CHNSW_METRIC_IP, CHNSW_KERNEL_AUTO, base, n, dim, 1);
    double full = (double)atomic_load(&ix->heuristic_full) / (double)atomic_load(&ix->heuristic_runs);
    uint32_t last = node_links0(ix, (node_id)(ix->count - 1))[0];
    double recall = harness_recall(ix, CHNSW_METRIC_IP, base, n, dim, base + n * dim, nq, ef);
    fprintf(stderr, "    %u-d: the heuristic kept all M in %.3f of its passes; last list %u; recall@10 %.3f\n", dim,
            full, last, recall);
    CHECK(fills ? full < 0.9 : full >= 0.9);
    CHECK(fills ? last == ix->m0 : last <= ix->m);
    CHECK(recall >= min_recall);
    chnsw_free(ix);
    free(base);
}

/* Unit vectors in 4 dimensions: the heuristic prunes most candidates, so lists are filled. */
static void test_low_dimension_fills_to_2m(void) { check_layer0(21, 3000, 4, true, 64, 0.95); }

/* Isotropic unit vectors in 256 dimensions: the heuristic keeps all M, and the list stays at M. */
static void test_isotropic_keeps_the_heuristics_m(void) { check_layer0(22, 6000, 256, false, 300, 0.9); }

int main(void) {
    RUN(test_low_dimension_fills_to_2m);
    RUN(test_isotropic_keeps_the_heuristics_m);
    return harness_finish("test_layer0");
}
