/*
 * recall_misses.c - why a graph search misses a true neighbour at a large ef.
 *
 * For every (query, true top-10 neighbour) pair the search at EF does not return, prints
 * what kind of miss it is:
 *   tie      the neighbour's f32 distance is within 1e-6 of the 10th returned one: the
 *            float64 truth and an f32 engine may order such a pair either way, at any ef;
 *   exact    the exact scan (same f32 kernel) does not return it either: an f32 ranking
 *            difference, not the graph's doing;
 *   graph    the exact scan returns it and the walk does not: the graph (or the walk) missed
 *            it. Its layer-0 in-degree is printed (0 = no node links to it: unreachable
 *            except as the entry point or through upper layers).
 * Then a summary, and how many nodes of the index have layer-0 in-degree 0.
 *
 *   make -C Benchmarks/engine recall_misses
 *   Benchmarks/engine/recall_misses INDEX.chnsw QUERIES.fbin GT.ibin EF
 */
#define _GNU_SOURCE
#include "../../CHNSW/src/internal.h"
#include "bench_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int returned(const uint64_t *got, uint32_t count, uint64_t label) {
    for (uint32_t i = 0; i < count; i++)
        if (got[i] == label) return 1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s INDEX QUERIES.fbin GT.ibin EF\n", argv[0]);
        return 2;
    }
    chnsw_index *ix = load_index(argv[1]);
    uint32_t nq, dim, gq, gk;
    float *queries = read_bin(argv[2], &nq, &dim);
    int32_t *gt = read_bin(argv[3], &gq, &gk);
    uint32_t ef = (uint32_t)atoi(argv[4]);

    /* Layer-0 in-degree of every node (labels are row numbers in the benchmark indexes). */
    uint32_t *indegree = calloc(ix->count, sizeof(uint32_t));
    for (size_t n = 0; n < ix->count; n++) {
        const uint32_t *links = node_links0(ix, (node_id)n);
        for (uint32_t i = 1; i <= links[0]; i++) indegree[links[i]]++;
    }
    size_t orphans = 0;
    for (size_t n = 0; n < ix->count; n++) orphans += indegree[n] == 0;

    size_t misses = 0, ties = 0, exact_too = 0, graph = 0, graph_orphans = 0;
    for (uint32_t q = 0; q < nq; q++) {
        const float *query = queries + (size_t)q * dim;
        chnsw_search_params p;
        chnsw_search_params_init(&p);
        p.k = 10;
        p.ef = ef;
        uint64_t got[10], exact[10];
        float dist[10], exact_dist[10];
        uint32_t count, exact_count;
        p.plan = CHNSW_PLAN_GRAPH;
        chnsw_search(ix, query, dim, &p, got, dist, &count, NULL);
        p.plan = CHNSW_PLAN_EXACT;
        chnsw_search(ix, query, dim, &p, exact, exact_dist, &exact_count, NULL);
        for (uint32_t j = 0; j < 10; j++) {
            uint64_t want = (uint64_t)gt[(size_t)q * gk + j];
            if (returned(got, count, want)) continue;
            misses++;
            node_id n = chnsw_label_map_get(&ix->labels_map, want);
            float d = n == NO_NODE ? NAN : ix_distance(ix, query, node_vector(ix, n));
            const char *kind;
            if (fabsf(d - dist[count - 1]) <= 1e-6f) {
                kind = "tie";
                ties++;
            } else if (!returned(exact, exact_count, want)) {
                kind = "exact";
                exact_too++;
            } else {
                kind = "graph";
                graph++;
                graph_orphans += n != NO_NODE && indegree[n] == 0;
            }
            printf("query %u rank %u label %llu: %s (distance %.7f, 10th returned %.7f, in-degree %u, level %u)\n", q, j,
                   (unsigned long long)want, kind, d, dist[count - 1], n == NO_NODE ? 0 : indegree[n],
                   n == NO_NODE ? 0 : ix->levels[n]);
        }
    }
    printf("ef %u: recall@10 %.5f; %zu misses: %zu ties, %zu missed by the exact scan too, %zu by the graph only "
           "(%zu of them with layer-0 in-degree 0); nodes with layer-0 in-degree 0: %zu of %zu\n",
           ef, 1.0 - misses / (10.0 * nq), misses, ties, exact_too, graph, graph_orphans, orphans, (size_t)ix->count);
    chnsw_free(ix);
    return 0;
}
