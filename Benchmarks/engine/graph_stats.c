/*
 * graph_stats.c - the shape of a saved index's graph: what one level draw gives and another
 * does not. Prints per layer the node count, mean out-degree and the nodes a walk from the
 * entry point cannot reach on that layer; the layer-0 in-degree histogram; and, with queries
 * and ground truth, where an f32 greedy descent enters layer 0 (its distance and how often it
 * lands among the query's true top 100).
 *
 *   make -C Benchmarks/engine graph_stats
 *   Benchmarks/engine/graph_stats INDEX.chnsw [QUERIES.fbin GT.ibin]
 */
#define _GNU_SOURCE
#include "../../CHNSW/src/internal.h"
#include "bench_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nodes of `layer` (level >= layer) a breadth-first walk from the entry point reaches. */
static size_t reachable(const chnsw_index *ix, int layer, uint8_t *seen, node_id *queue) {
    memset(seen, 0, ix->count);
    size_t head = 0, tail = 0;
    queue[tail++] = ix->entry;
    seen[ix->entry] = 1;
    while (head < tail) {
        const uint32_t *links = node_links(ix, queue[head++], layer);
        for (uint32_t i = 1; i <= links[0]; i++)
            if (!seen[links[i]]) {
                seen[links[i]] = 1;
                queue[tail++] = links[i];
            }
    }
    return tail;
}

static float distance(const chnsw_index *ix, const float *q, node_id n) { return ix_distance(ix, q, node_vector(ix, n)); }

int main(int argc, char **argv) {
    if (argc != 2 && argc != 4) {
        fprintf(stderr, "usage: %s INDEX [QUERIES.fbin GT.ibin]\n", argv[0]);
        return 2;
    }
    chnsw_index *ix = load_index(argv[1]);
    uint8_t *seen = malloc(ix->count);
    node_id *queue = malloc(ix->count * sizeof(node_id));
    printf("nodes %zu, max level %d, entry %u (level %u)\n", ix->count, ix->max_level, ix->entry, ix->levels[ix->entry]);
    for (int layer = ix->max_level; layer >= 0; layer--) {
        size_t nodes = 0, links = 0;
        for (size_t n = 0; n < ix->count; n++)
            if (ix->levels[n] >= layer) {
                nodes++;
                links += node_links(ix, (node_id)n, layer)[0];
            }
        size_t reached = reachable(ix, layer, seen, queue);
        printf("layer %d: %zu nodes, out-degree %.2f, unreachable from the entry %zu\n", layer, nodes,
               (double)links / (double)nodes, nodes - reached);
    }

    uint32_t *in = calloc(ix->count, sizeof(uint32_t));
    for (size_t n = 0; n < ix->count; n++) {
        const uint32_t *links = node_links0(ix, (node_id)n);
        for (uint32_t i = 1; i <= links[0]; i++) in[links[i]]++;
    }
    static const uint32_t edges[] = {0, 1, 2, 4, 8, 16, 32, 64, 128, UINT32_MAX};
    printf("layer-0 in-degree:");
    for (size_t b = 0; b + 1 < sizeof edges / sizeof edges[0]; b++) {
        size_t c = 0;
        for (size_t n = 0; n < ix->count; n++) c += in[n] >= edges[b] && in[n] < edges[b + 1] + (b == 0);
        printf(" [%u,%u]%s%zu", edges[b], b == 0 ? 0 : edges[b + 1] - 1, "=", c);
    }
    size_t full = 0;
    for (size_t n = 0; n < ix->count; n++) full += node_links0(ix, (node_id)n)[0] == ix->m0;
    printf("\nlayer-0 lists full (%u links): %zu of %zu\n", ix->m0, full, ix->count);

    if (argc == 4) {
        uint32_t nq, dim, gq, gk;
        float *queries = read_bin(argv[2], &nq, &dim);
        int32_t *gt = read_bin(argv[3], &gq, &gk);
        double sum_d = 0, sum_top = 0;
        size_t in_top100 = 0, in_top10 = 0;
        for (uint32_t q = 0; q < nq; q++) {
            const float *query = queries + (size_t)q * dim;
            scored cur = {distance(ix, query, ix->entry), ix->entry};
            for (int layer = ix->max_level; layer > 0; layer--)
                for (bool changed = true; changed;) {
                    changed = false;
                    const uint32_t *links = node_links_upper(ix, cur.node, layer);
                    for (uint32_t i = 1; i <= links[0]; i++) {
                        float d = distance(ix, query, links[i]);
                        if (d < cur.distance) cur = (scored){d, links[i]}, changed = true;
                    }
                }
            sum_d += cur.distance;
            sum_top += distance(ix, query, (node_id)gt[(size_t)q * gk]);
            for (uint32_t r = 0; r < gk && r < 100; r++)
                if ((node_id)gt[(size_t)q * gk + r] == cur.node) {
                    in_top100++;
                    in_top10 += r < 10;
                }
        }
        printf("descent end: mean distance %.4f (true nearest %.4f), in the true top 10 %.1f %%, top 100 %.1f %%\n",
               sum_d / nq, sum_top / nq, 100.0 * in_top10 / nq, 100.0 * in_top100 / nq);
    }
    return 0;
}
