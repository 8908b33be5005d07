/*
 * neighbors.c - neighbour selection (Malkov & Yashunin, algorithm 4).
 *
 * Plain "keep the M closest" links a node into its own cluster only; the heuristic
 * keeps a candidate only if it is closer to the base node than to every neighbour
 * already kept. That spreads links across directions, keeps clusters connected to
 * each other, and is what makes HNSW robust on clustered data.
 *
 * A new node's own layer-0 list is chosen by chnsw_select_layer0: the heuristic's M links,
 * then, on data where the heuristic mostly keeps fewer than M, the closest other candidates
 * until the list holds 2M (the paper's "keepPrunedConnections", up to the layer's full size);
 * hnswlib gives a new node the heuristic's M only. On real sentence embeddings queried with
 * questions (far from every sentence), the sparser lists left small-ef recall swinging with the
 * level draw: at recall@10 0.95 the walk scored 631-730 nodes per query over three seeds,
 * against 609-647 with the filled lists (docs/benchmarks-archive.md, "Issue 20, fourth pass"
 * and "fifth pass"). What pays there is the fill's back-links (the new node in its neighbours'
 * lists: without them 634-680). On isotropic data the heuristic keeps all M for nearly every
 * node (98.7 % on hard-20k, against 63 % on the real sentences and 68 % on lowrank-50k), the
 * neighbours' lists stay full, and the fill's back-links only multiply their re-selections
 * (5x: +45-57 % build time); so the fill is on while fewer than 9 in 10 of the index's
 * heuristic passes kept all M (the first 256 nodes always fill). Cheaper variants tried did
 * not keep the gain: filling only nodes whose heuristic kept fewer than M, back-links of the
 * fill only into lists with room, or re-selected lists cut to 3M/2 (docs/benchmarks-archive.md).
 */
#include "internal.h"

/* Whether candidate c is closer to the base node than to every one of the `kept` first. */
static bool closer_to_base(const chnsw_index *ix, const scored *candidates, size_t kept, scored c) {
    const float *cv = node_vector(ix, c.node);
    for (size_t j = 0; j < kept; j++)
        if (ix_distance(ix, cv, node_vector(ix, candidates[j].node)) < c.distance) return false;
    return true;
}

size_t chnsw_select_neighbors(const chnsw_index *ix, scored *candidates, size_t n, size_t limit) {
    if (n <= limit) return n;
    size_t kept = 0;
    for (size_t i = 0; i < n && kept < limit; i++)
        if (closer_to_base(ix, candidates, kept, candidates[i])) candidates[kept++] = candidates[i];
    return kept;
}

/*
 * The heuristic's pass up to `diverse` kept (*passed gets that count), then the closest of the
 * other candidates until `limit` are kept; limit 0 fills nothing (the plain heuristic).
 */
static size_t select_filled(const chnsw_index *ix, scored *candidates, size_t n, size_t diverse, size_t limit,
                            size_t *passed) {
    /* The heuristic's pass, keeping the ones it prunes (ascending) while they may be needed. */
    scored pruned[CHNSW_MAX_LINKS0];
    size_t kept = 0, dropped = 0, i = 0;
    for (; i < n && kept < diverse; i++) {
        scored c = candidates[i];
        if (closer_to_base(ix, candidates, kept, c))
            candidates[kept++] = c;
        else if (dropped < limit)
            pruned[dropped++] = c;
    }
    *passed = kept;
    /* Then the closest of the rest: the pruned ones, then those the pass did not reach (all of
     * which are farther; writing at `kept` never overtakes reading at i, as kept <= i). */
    for (size_t j = 0; j < dropped && kept < limit; j++) candidates[kept++] = pruned[j];
    for (; i < n && kept < limit; i++) candidates[kept++] = candidates[i];
    return kept;
}

/* Passes counted before the share of full ones decides (the first nodes fill), and that share. */
#define FILL_DECIDES_AFTER 256
#define FILL_UNTIL_FULL_TENTHS 9

size_t chnsw_select_layer0(chnsw_index *ix, scored *candidates, size_t n) {
    uint64_t runs = atomic_load_explicit(&ix->heuristic_runs, memory_order_relaxed);
    uint64_t full = atomic_load_explicit(&ix->heuristic_full, memory_order_relaxed);
    bool fill = runs < FILL_DECIDES_AFTER || full * 10 < runs * FILL_UNTIL_FULL_TENTHS;
    if (n <= ix->m0) return fill ? n : chnsw_select_neighbors(ix, candidates, n, ix->m);
    size_t passed;
    size_t kept = select_filled(ix, candidates, n, ix->m, fill ? ix->m0 : 0, &passed);
    atomic_fetch_add_explicit(&ix->heuristic_runs, 1, memory_order_relaxed);
    if (passed == ix->m) atomic_fetch_add_explicit(&ix->heuristic_full, 1, memory_order_relaxed);
    return kept;
}
