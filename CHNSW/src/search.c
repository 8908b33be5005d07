/*
 * search.c - k-nearest-neighbour search and its planner.
 *
 * Unfiltered: greedy descent through the upper layers, then a beam of width ef on
 * layer 0 (removed nodes are walked through but never returned).
 *
 * Every graph walk ranks nodes by their int8 codes (walk_codes.c: a quarter of the bytes
 * of the f32 vectors, and the walk is bound by fetching them), then rescores the ef nodes
 * it kept from the f32 vectors and returns the best k, with exact distances.
 *
 * Filtered (tenant, allow-list, predicate): the planner scans the qualifying set
 * exactly when it is small (at most exact_scan_threshold nodes), which gives recall
 * 1.0 and beats any graph walk there. Otherwise it runs a filtered beam search in
 * which only qualifying nodes ever enter the candidate queue; a non-qualifying
 * neighbour is not a dead end but a bridge: its own neighbours are examined (two-hop
 * expansion, as in ACORN-1). This keeps the walk inside the qualifying subgraph
 * rather than walking the whole graph and dropping results at the output.
 */
#include "filter.h"
#include "heap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEEDS 8

static scored descend(const chnsw_index *ix, const walk_query *w, uint64_t *distances) {
    node_id entry = ix->entry;
    scored cur = {walk_distance(ix, w, entry), entry};
    (*distances)++;
    for (int level = ix->max_level; level > 0; level--) {
        bool changed = true;
        while (changed) {
            changed = false;
            const uint32_t *links = node_links_upper(ix, cur.node, level);
            /* As on layer 0: the code records of the next few neighbours load while one is scored. */
            for (uint32_t i = 1; i <= links[0] && i <= WALK_PREFETCH_AHEAD; i++) walk_prefetch_codes(ix, links[i]);
            for (uint32_t i = 1; i <= links[0]; i++) {
                if (i + WALK_PREFETCH_AHEAD <= links[0]) walk_prefetch_codes(ix, links[i + WALK_PREFETCH_AHEAD]);
                float d = walk_distance(ix, w, links[i]);
                (*distances)++;
                if (d < cur.distance) {
                    cur = (scored){d, links[i]};
                    changed = true;
                }
            }
        }
    }
    return cur;
}

/*
 * Considers node n as a candidate of the layer-0 beam. The tombstone is read only for a node
 * that gets into the beam (most do not), and a node that becomes the next to expand has its
 * links prefetched, as hnswlib does.
 */
static inline void consider(const chnsw_index *ix, visited_list *v, const walk_query *w, node_id n, size_t ef,
                            bool check_tombstone, uint64_t *distances) {
    float d = walk_distance(ix, w, n);
    (*distances)++;
    heap *results = &v->results;
    if (results->size < ef || d < results->items[0].distance) {
        if (heap_reserve(ix, &v->candidates, v->candidates.size + 1)) {
            min_heap_push(&v->candidates, (scored){d, n});
            if (v->candidates.items[0].node == n) prefetch_links0(ix, n);
        }
        if (!check_tombstone || !ix->removed[n]) top_offer(results, ef, (scored){d, n});
    }
}

/* Layer-0 beam search without a filter beyond the tombstones. */
static void beam_unfiltered(const chnsw_index *ix, visited_list *v, const walk_query *w, scored entry, size_t ef,
                            uint64_t *distances) {
    visited_test_and_set(v, entry.node);
    min_heap_push(&v->candidates, entry);
    if (!ix->removed[entry.node]) max_heap_push(&v->results, entry);
    while (v->candidates.size) {
        scored c = v->candidates.items[0];
        if (v->results.size >= ef && c.distance > v->results.items[0].distance) break;
        min_heap_pop(&v->candidates);
        if (v->candidates.size) prefetch_links0(ix, v->candidates.items[0].node); /* likely the next */
        /* Gather the unvisited neighbours first, then score them with prefetches running a
         * few nodes ahead: several cache misses are in flight at once instead of one. */
        const uint32_t *links = node_links0(ix, c.node);
        node_id fresh[512];
        uint32_t n_fresh = 0;
        for (uint32_t i = 1; i <= links[0]; i++) n_fresh += !visited_test_and_set(v, fresh[n_fresh] = links[i]);
        for (uint32_t i = 0; i < n_fresh && i < WALK_PREFETCH_AHEAD; i++) walk_prefetch_codes(ix, fresh[i]);
        for (uint32_t i = 0; i < n_fresh; i++) {
            if (i + WALK_PREFETCH_AHEAD < n_fresh) walk_prefetch_codes(ix, fresh[i + WALK_PREFETCH_AHEAD]);
            consider(ix, v, w, fresh[i], ef, true, distances);
        }
    }
}

/* Layer-0 beam search that keeps only qualifying nodes in its queue (two-hop expansion). */
static void beam_filtered(const chnsw_index *ix, visited_list *v, const search_filter *f, const walk_query *w,
                          const scored *seeds, size_t seed_count, size_t ef, uint64_t *distances) {
    for (size_t i = 0; i < seed_count; i++) {
        if (visited_test_and_set(v, seeds[i].node)) continue;
        /* Seeds start the walk even if they do not qualify (the descent's end point). */
        if (heap_reserve(ix, &v->candidates, v->candidates.size + 1)) min_heap_push(&v->candidates, seeds[i]);
        if (qualifies(ix, f, seeds[i].node)) top_offer(&v->results, ef, seeds[i]);
    }
    while (v->candidates.size) {
        scored c = v->candidates.items[0];
        if (v->results.size >= ef && c.distance > v->results.items[0].distance) break;
        min_heap_pop(&v->candidates);
        const uint32_t *links = node_links0(ix, c.node);
        for (uint32_t i = 1; i <= links[0]; i++) {
            node_id n = links[i];
            if (visited_test_and_set(v, n)) continue;
            if (qualifies(ix, f, n)) {
                consider(ix, v, w, n, ef, false, distances);
                continue;
            }
            /* A bridge: look one hop further for qualifying nodes. */
            const uint32_t *hop = node_links0(ix, n);
            for (uint32_t j = 1; j <= hop[0]; j++) {
                node_id h = hop[j];
                if (v->tags[h] == v->current || !qualifies(ix, f, h)) continue;
                v->tags[h] = v->current;
                consider(ix, v, w, h, ef, false, distances);
            }
        }
    }
}

/* Picks up to MAX_SEEDS spread-out qualifying nodes of a known candidate list. */
static size_t seeds_from_list(const chnsw_index *ix, const search_filter *f, const walk_query *w, const node_id *nodes,
                              size_t n, scored *seeds, uint64_t *distances) {
    size_t count = 0;
    for (size_t i = 0; i < MAX_SEEDS && n; i++) {
        node_id node = nodes[(i * n) / MAX_SEEDS];
        if (!qualifies(ix, f, node)) continue;
        seeds[count++] = (scored){walk_distance(ix, w, node), node};
        (*distances)++;
    }
    return count;
}

static int compare_distance(const void *a, const void *b) {
    float x = ((const scored *)a)->distance, y = ((const scored *)b)->distance;
    return x < y ? -1 : (x > y);
}

/* Sorts by distance, ascending (no NaN): insertion sort for the usual few dozen, else qsort. */
static void sort_ascending(scored *items, size_t n) {
    if (n > 48) {
        qsort(items, n, sizeof(scored), compare_distance);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        scored x = items[i];
        size_t j = i;
        for (; j > 0 && items[j - 1].distance > x.distance; j--) items[j] = items[j - 1];
        items[j] = x;
    }
}

/*
 * The walk kept (in v->results) the ef best nodes by their codes; rescores them from the f32
 * vectors and keeps the `wanted` best, so results carry exact distances. Returns the count
 * rescored.
 *
 * Under inner product and cosine every kept node's code distance comes with an interval that
 * holds its f32 distance (block_q8.c's proof; the node's error bound is in its code record).
 * A node whose lower end lies above the wanted-th smallest upper end cannot be among the
 * wanted best, so it is not rescored; the others are rescored best lower end first, stopping
 * when the next lower end is above the wanted-th exact distance found. The result is the one a
 * rescoring of all ef nodes gives, without fetching the 24 lines of each hopeless node's vector
 * (at ef = 64 and k = 10 most of them). L2 rescoring stays whole.
 */
static uint64_t rerank(const chnsw_index *ix, visited_list *v, const walk_query *w, const float *q, size_t wanted) {
    size_t n = v->results.size;
    /* The candidate heap is spent, and holds at least ef + 1 items (chnsw_visited_acquire). */
    scored *kept = v->candidates.items;
    memcpy(kept, v->results.items, n * sizeof(scored));
    v->candidates.size = 0;
    v->results.size = 0;
    bool by_lower_end = false;
    if (ix->metric != CHNSW_METRIC_L2 && n > wanted) {
        /* The wanted-th smallest upper end: the results heap, empty now, keeps the wanted smallest. */
        for (size_t i = 0; i < n; i++) {
            const float *tail = node_code_scale_norm(ix, kept[i].node); /* scale, squared norm, bound */
            float upper = kept[i].distance + q8_interval_slack(&w->bounds, tail[0], tail[2], 1.0f - kept[i].distance);
            if (upper == upper) top_offer(&v->results, wanted, (scored){upper, kept[i].node}); /* NaN proves nothing */
        }
        if (v->results.size == wanted) {
            float cap = v->results.items[0].distance;
            size_t reaching = 0;
            for (size_t i = 0; i < n; i++) {
                const float *tail = node_code_scale_norm(ix, kept[i].node);
                float lower = kept[i].distance - q8_interval_slack(&w->bounds, tail[0], tail[2], 1.0f - kept[i].distance);
                if (lower != lower) lower = -INFINITY; /* a NaN end proves nothing: always rescored */
                if (!(lower > cap)) kept[reaching++] = (scored){lower, kept[i].node};
            }
            n = reaching;
            sort_ascending(kept, n);
            by_lower_end = true;
        }
        v->results.size = 0;
    }
    size_t scored_count = 0;
    for (size_t i = 0; i < n; i++) {
        /* Best lower end first: once the next lower end is above the wanted-th exact distance,
         * no node left can enter the answer (as in block_q8.c's rescoring). */
        if (by_lower_end && v->results.size == wanted && kept[i].distance > v->results.items[0].distance) break;
        if (i + 1 < n) prefetch_vector(ix, kept[i + 1].node);
        top_offer(&v->results, wanted, (scored){ix_distance(ix, q, node_vector(ix, kept[i].node)), kept[i].node});
        scored_count++;
    }
    return scored_count;
}

typedef struct plan_input {
    search_filter filter;
    const node_id *candidates; /* a known superset of the qualifying nodes, ascending, or NULL */
    size_t candidate_count;
    uint64_t estimate;         /* qualifying-set size the planner uses */
} plan_input;

static int compare_node(const void *a, const void *b) {
    node_id x = *(const node_id *)a, y = *(const node_id *)b;
    return x < y ? -1 : (x > y);
}

/* Runs the search with the read lock held. */
static chnsw_status search_locked(chnsw_index *ix, const float *q, const walk_query *w,
                                  const chnsw_search_params *p, uint64_t *labels,
                                  float *distances_out, uint32_t *count, chnsw_search_stats *stats) {
    if (ix->live_count == 0) return CHNSW_ERR_EMPTY_INDEX;
    if (p->k > ix->live_count) return CHNSW_ERR_K_EXCEEDS_COUNT;

    plan_input in = {0};
    in.filter.predicate = p->predicate;
    in.filter.predicate_context = p->predicate_context;
    if (p->restrict_to_tenant) {
        tenant_entry *e = chnsw_tenant_map_find(&ix->tenants_map, p->tenant);
        if (!e || e->live == 0) return CHNSW_ERR_UNKNOWN_TENANT;
        in.filter.by_tenant = true;
        in.filter.tenant = p->tenant;
        in.candidates = e->nodes;
        in.candidate_count = e->count;
        in.estimate = e->live;
    }

    size_t ef = p->ef > p->k ? p->ef : p->k;
    size_t allow_nodes_n = 0;
    node_id *allow_nodes = NULL;
    uint64_t *allow_bits = NULL;
    chnsw_status status = CHNSW_OK;
    visited_list *v = NULL;
    if (p->allow_labels) {
        if ((status = chnsw_labels_ready(ix)) != CHNSW_OK) return status;
        allow_nodes = chnsw_ix_alloc(ix, (p->allow_count ? p->allow_count : 1) * sizeof(node_id));
        if (!allow_nodes) return CHNSW_ERR_OUT_OF_MEMORY;
        for (size_t i = 0; i < p->allow_count; i++) {
            node_id n = chnsw_label_map_get(&ix->labels_map, p->allow_labels[i]);
            if (n != NO_NODE) allow_nodes[allow_nodes_n++] = n;
        }
        qsort(allow_nodes, allow_nodes_n, sizeof(node_id), compare_node);
        size_t unique = 0; /* a label listed twice must not be scanned twice */
        for (size_t i = 0; i < allow_nodes_n; i++)
            if (unique == 0 || allow_nodes[unique - 1] != allow_nodes[i]) allow_nodes[unique++] = allow_nodes[i];
        allow_nodes_n = unique;
        allow_bits = chnsw_ix_calloc(ix, (ix->count + 63) / 64, sizeof(uint64_t));
        if (!allow_bits) {
            status = CHNSW_ERR_OUT_OF_MEMORY;
            goto done;
        }
        for (size_t i = 0; i < allow_nodes_n; i++) allow_bits[allow_nodes[i] >> 6] |= 1ULL << (allow_nodes[i] & 63);
        in.filter.allow_bits = allow_bits;
        if (!in.candidates || allow_nodes_n < in.candidate_count) {
            in.candidates = allow_nodes;
            in.candidate_count = allow_nodes_n;
        }
        if (!p->restrict_to_tenant || allow_nodes_n < in.estimate) in.estimate = allow_nodes_n;
    }

    bool filtered = filter_is_active(&in.filter);
    chnsw_plan plan = p->plan;
    if (plan == CHNSW_PLAN_AUTO)
        plan = (in.candidates && in.estimate <= ix->exact_scan_threshold) ? CHNSW_PLAN_EXACT : CHNSW_PLAN_GRAPH;

    v = chnsw_visited_acquire(ix, ef, 0);
    if (!v) {
        status = CHNSW_ERR_OUT_OF_MEMORY;
        goto done;
    }
    uint64_t dist_count = 0;
    size_t wanted = p->k;
    if (plan == CHNSW_PLAN_EXACT) {
        status = in.candidates
                     ? chnsw_scan_nodes(ix, &in.filter, q, in.candidates, in.candidate_count, &v->results, wanted, &dist_count)
                     : chnsw_scan_all(ix, &in.filter, q, &v->results, wanted, &dist_count);
        if (status != CHNSW_OK) goto done;
    } else {
        scored seeds[MAX_SEEDS + 1];
        seeds[0] = descend(ix, w, &dist_count);
        if (!filtered) {
            beam_unfiltered(ix, v, w, seeds[0], ef, &dist_count);
        } else {
            size_t n_seeds = 1;
            if (in.candidates)
                n_seeds += seeds_from_list(ix, &in.filter, w, in.candidates, in.candidate_count, seeds + 1, &dist_count);
            beam_filtered(ix, v, &in.filter, w, seeds, n_seeds, ef, &dist_count);
        }
        dist_count += rerank(ix, v, w, q, wanted);
        /* A filter whose qualifying nodes the walk could not reach: fall back to a scan. */
        if (filtered && v->results.size < wanted && p->plan == CHNSW_PLAN_AUTO) {
            v->results.size = 0;
            status = in.candidates
                         ? chnsw_scan_nodes(ix, &in.filter, q, in.candidates, in.candidate_count, &v->results, wanted, &dist_count)
                         : chnsw_scan_all(ix, &in.filter, q, &v->results, wanted, &dist_count);
            if (status != CHNSW_OK) goto done;
            plan = CHNSW_PLAN_EXACT;
        }
    }

    /* The results heap drains into the work area of the candidate heap, best first. */
    size_t got = v->results.size;
    if (!heap_reserve(ix, &v->candidates, got)) {
        status = CHNSW_ERR_OUT_OF_MEMORY;
        goto done;
    }
    max_heap_drain_sorted(&v->results, v->candidates.items);
    for (size_t i = 0; i < got; i++) {
        labels[i] = ix->labels[v->candidates.items[i].node];
        if (distances_out) distances_out[i] = v->candidates.items[i].distance;
    }
    v->candidates.size = 0;
    *count = (uint32_t)got;
    if (stats) {
        stats->plan = plan;
        stats->distance_count = dist_count;
        stats->qualifying_estimate = filtered ? in.estimate : 0;
    }
done:
    if (v) chnsw_visited_release(ix, v);
    chnsw_ix_free(ix, allow_bits);
    chnsw_ix_free(ix, allow_nodes);
    return status;
}

chnsw_status chnsw_search(chnsw_index *ix, const float *query, uint32_t dimension, const chnsw_search_params *p,
                          uint64_t *labels, float *distances, uint32_t *count, chnsw_search_stats *stats) {
    if (!ix || !query || !p || !labels || !count) return CHNSW_ERR_INVALID_ARGUMENT;
    if (p->allow_count && !p->allow_labels) return CHNSW_ERR_INVALID_ARGUMENT;
    if ((unsigned)p->plan > CHNSW_PLAN_GRAPH) return CHNSW_ERR_INVALID_ARGUMENT;
    *count = 0;
    double sq_norm;
    chnsw_status status = chnsw_check_vector_norm(ix, query, dimension, &sq_norm);
    if (status != CHNSW_OK) return status;
    if (p->k == 0) return CHNSW_ERR_K_ZERO;
    if (p->ef < p->k) return CHNSW_ERR_EF_TOO_SMALL;

    /* The query in f32 (for exact distances) and as int16 codes (for the walk). */
    float local[WALK_STACK_DIM];
    int16_t local_codes[WALK_STACK_DIM];
    bool small = ix->dim <= WALK_STACK_DIM;
    float *q = small ? local : chnsw_ix_alloc(ix, ix->dim * sizeof(float));
    int16_t *codes = small ? local_codes : chnsw_ix_alloc(ix, ix->dim * sizeof(int16_t));
    if (q && codes) {
        chnsw_prepare_vector(ix, query, q);
        /* q is the query itself unless cosine normalised it: then its own norm. */
        if (ix->metric == CHNSW_METRIC_COSINE) sq_norm = chnsw_sum_squares(q, ix->dim);
        q8_query bounds = chnsw_q8_query_prepare(q, ix->dim, sq_norm, codes);
        walk_query w = {codes, bounds.scale, (float)sq_norm, bounds};
        pthread_rwlock_rdlock(&ix->rwlock);
        status = search_locked(ix, q, &w, p, labels, distances, count, stats);
        pthread_rwlock_unlock(&ix->rwlock);
    } else {
        status = CHNSW_ERR_OUT_OF_MEMORY;
    }
    if (!small) {
        chnsw_ix_free(ix, q);
        chnsw_ix_free(ix, codes);
    }
    return status;
}
