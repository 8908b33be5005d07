/*
 * neighbors.c - neighbour selection (Malkov & Yashunin, algorithm 4).
 *
 * Plain "keep the M closest" links a node into its own cluster only; the heuristic
 * keeps a candidate only if it is closer to the base node than to every neighbour
 * already kept. That spreads links across directions, keeps clusters connected to
 * each other, and is what makes HNSW robust on clustered data.
 *
 * A new node's own layer-0 list is chosen by chnsw_select_neighbors_filled: the heuristic's
 * M links, then the closest other candidates until the list holds 2M (the paper's
 * "keepPrunedConnections", up to the layer's full size); hnswlib gives a new node the
 * heuristic's M only. On real sentence embeddings queried with questions (far from every
 * sentence), the sparser lists left small-ef recall swinging with the level draw: at
 * recall@10 0.95 the walk scored 631-730 nodes per query over three seeds, against 611-648
 * with the filled lists (docs/benchmarks-archive.md, "Issue 20, fourth pass"). It costs
 * build time: +10 % there, +57 % on isotropic data, whose neighbours' lists the extra
 * back-links keep full and re-selecting. Running the heuristic itself up to 2M walked no
 * shorter and cost a third more (each candidate tested against up to 2M kept ones); filling
 * the neighbours' re-selected lists too doubled the build's cost.
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

size_t chnsw_select_neighbors_filled(const chnsw_index *ix, scored *candidates, size_t n, size_t diverse,
                                     size_t limit) {
    if (n <= limit) return n;
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
    /* Then the closest of the rest: the pruned ones, then those the pass did not reach (all of
     * which are farther; writing at `kept` never overtakes reading at i, as kept <= i). */
    for (size_t j = 0; j < dropped && kept < limit; j++) candidates[kept++] = pruned[j];
    for (; i < n && kept < limit; i++) candidates[kept++] = candidates[i];
    return kept;
}
