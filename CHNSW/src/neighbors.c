/*
 * neighbors.c - neighbour selection (Malkov & Yashunin, algorithm 4).
 *
 * Plain "keep the M closest" links a node into its own cluster only; the heuristic
 * keeps a candidate only if it is closer to the base node than to every neighbour
 * already kept. That spreads links across directions, keeps clusters connected to
 * each other, and is what makes HNSW robust on clustered data.
 */
#include "internal.h"

size_t chnsw_select_neighbors(const chnsw_index *ix, scored *candidates, size_t n, size_t limit) {
    if (n <= limit) return n;
    size_t kept = 0;
    for (size_t i = 0; i < n && kept < limit; i++) {
        scored c = candidates[i];
        const float *cv = node_vector(ix, c.node);
        bool good = true;
        for (size_t j = 0; j < kept; j++) {
            if (ix_distance(ix, cv, node_vector(ix, candidates[j].node)) < c.distance) {
                good = false;
                break;
            }
        }
        if (good) candidates[kept++] = c;
    }
    return kept;
}
