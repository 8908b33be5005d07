/*
 * insert.c - adding vectors: validation, storage, and linking into the graph.
 *
 * A batch is validated and every allocation it needs is made before the first row is
 * stored, so a failed call leaves the index untouched. Linking then runs on up to
 * `threads` threads; they coordinate through per-node spin locks (held only while a
 * link list is copied or rewritten) and the entry-point mutex. Searches never see
 * this: they hold the index read lock, which a writer holds exclusively.
 */
#include "heap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- levels ---- */

static uint64_t next_random(uint64_t *state) {
    /* splitmix64: tiny, fast, and good enough for drawing layer numbers. */
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Level l with probability ~ exp(-l / mL), mL = 1 / ln(M), as in the paper. */
static uint8_t draw_level(chnsw_index *ix) {
    double u = ((double)(next_random(&ix->rng_state) >> 11) + 1.0) * 0x1.0p-53; /* (0, 1] */
    double level = floor(-log(u) * ix->level_multiplier);
    return level > MAX_LEVEL ? MAX_LEVEL : (uint8_t)level;
}

/* ---- graph linking ---- */

/* Copies node n's links on `level` into out[] under its lock; returns the count. */
static uint32_t copy_links(const chnsw_index *ix, node_id n, int level, uint32_t *out) {
    node_lock(ix, n);
    const uint32_t *links = node_links(ix, n, level);
    uint32_t count = links[0];
    memcpy(out, links + 1, count * sizeof(uint32_t));
    node_unlock(ix, n);
    return count;
}

/* Greedy walk on one upper layer: move to a closer neighbour while there is one. */
static scored greedy_step(const chnsw_index *ix, const float *q, scored cur, int level) {
    uint32_t links[256 + 1];
    bool changed = true;
    while (changed) {
        changed = false;
        uint32_t count = copy_links(ix, cur.node, level, links);
        for (uint32_t i = 0; i < count; i++) {
            float d = ix_distance(ix, q, node_vector(ix, links[i]));
            if (d < cur.distance) {
                cur = (scored){d, links[i]};
                changed = true;
            }
        }
    }
    return cur;
}

static int compare_scored(const void *a, const void *b) {
    const scored *x = a, *y = b;
    if (x->distance != y->distance) return x->distance < y->distance ? -1 : 1;
    return x->node < y->node ? -1 : (x->node > y->node);
}

/*
 * Beam search of width ef on one layer from `entry`, leaving the ef closest nodes in
 * v->work, sorted by exact distance, and returning their count. Removed nodes take part:
 * they are still good waypoints. If the candidate heap cannot grow, the candidate is
 * dropped: a slightly poorer neighbourhood, never a failed insert.
 *
 * With `w` the walk ranks nodes by their int8 codes, as a search does (walk_codes.c): the
 * walk is bound by fetching vectors, and a code record is 7 cache lines against the f32
 * vector's 24. The ef nodes it keeps are then rescored from the f32 vectors, so the
 * neighbour selection sees exact distances. Without `w`, the walk uses the f32 vectors.
 */
static size_t search_layer(const chnsw_index *ix, visited_list *v, const float *q, const walk_query *w, scored entry,
                           size_t ef, int level) {
    uint32_t links[512 + 1];
    v->candidates.size = 0;
    v->results.size = 0;
    visited_next_tag(v);
    visited_test_and_set(v, entry.node);
    if (w) entry.distance = walk_distance(ix, w, entry.node);
    min_heap_push(&v->candidates, entry);
    max_heap_push(&v->results, entry);
    while (v->candidates.size) {
        scored c = v->candidates.items[0];
        if (c.distance > v->results.items[0].distance && v->results.size >= ef) break;
        min_heap_pop(&v->candidates);
        /* The next node to expand is likely the new head: its links load while this one's
         * neighbours are scored (upper layers are few and small: not worth it there). */
        if (level == 0 && v->candidates.size) prefetch_links0(ix, v->candidates.items[0].node);
        uint32_t count = copy_links(ix, c.node, level, links), fresh = 0;
        for (uint32_t i = 0; i < count; i++) fresh += !visited_test_and_set(v, links[fresh] = links[i]); /* in place */
        if (w)
            for (uint32_t i = 0; i < fresh && i < WALK_PREFETCH_AHEAD; i++) walk_prefetch_codes(ix, links[i]);
        for (uint32_t i = 0; i < fresh; i++) {
            node_id n = links[i];
            float d;
            if (w) {
                if (i + WALK_PREFETCH_AHEAD < fresh) walk_prefetch_codes(ix, links[i + WALK_PREFETCH_AHEAD]);
                d = walk_distance(ix, w, n);
            } else {
                d = ix_distance(ix, q, node_vector(ix, n));
            }
            if (v->results.size < ef || d < v->results.items[0].distance) {
                if (heap_reserve(ix, &v->candidates, v->candidates.size + 1))
                    min_heap_push(&v->candidates, (scored){d, n});
                top_offer(&v->results, ef, (scored){d, n});
            }
        }
    }
    size_t n = max_heap_drain_sorted(&v->results, v->work);
    if (w) {
        if (n > 1) prefetch_vector(ix, v->work[1].node);
        for (size_t i = 0; i < n; i++) {
            if (i + 2 < n) prefetch_vector(ix, v->work[i + 2].node);
            v->work[i].distance = ix_distance(ix, q, node_vector(ix, v->work[i].node));
        }
        scored_sort(v->work, n, compare_scored);
    }
    return n;
}

/* Adds `newcomer` to n's links on `level`, pruning with the heuristic when full. */
static void connect_back(const chnsw_index *ix, visited_list *v, node_id n, node_id newcomer,
                         float distance, int level) {
    uint32_t cap = level == 0 ? ix->m0 : ix->m;
    node_lock(ix, n);
    uint32_t *links = node_links(ix, n, level);
    if (links[0] < cap) {
        links[1 + links[0]++] = newcomer;
    } else {
        const float *nv = node_vector(ix, n);
        scored *work = v->work; /* work_capacity >= m0 + 1 */
        if (links[0] > 1) prefetch_vector(ix, links[2]);
        for (uint32_t i = 0; i < links[0]; i++) {
            if (i + 2 < links[0]) prefetch_vector(ix, links[i + 3]);
            work[i] = (scored){ix_distance(ix, nv, node_vector(ix, links[i + 1])), links[i + 1]};
        }
        work[links[0]] = (scored){distance, newcomer};
        scored_sort(work, links[0] + 1, compare_scored);
        size_t kept = chnsw_select_neighbors(ix, work, links[0] + 1, cap);
        for (size_t i = 0; i < kept; i++) links[1 + i] = work[i].node;
        links[0] = (uint32_t)kept;
    }
    node_unlock(ix, n);
}

static void link_node(chnsw_index *ix, visited_list *v, node_id q) {
    const float *qv = node_vector(ix, q);
    int level = ix->levels[q];

    pthread_mutex_lock(&ix->entry_mutex);
    node_id entry = ix->entry;
    int top = ix->max_level;
    if (entry == NO_NODE) {
        ix->entry = q;
        ix->max_level = level;
        pthread_mutex_unlock(&ix->entry_mutex);
        return;
    }
    /* A node that raises the top layer keeps the mutex until it is the new entry point. */
    bool raises_top = level > top;
    if (!raises_top) pthread_mutex_unlock(&ix->entry_mutex);

    scored cur = {ix_distance(ix, qv, node_vector(ix, entry)), entry};
    for (int l = top; l > level; l--) cur = greedy_step(ix, qv, cur, l);

    /* The newcomer as the walk sees it (int16 codes); the stack holds them up to
     * WALK_STACK_DIM dimensions, and wider vectors walk on f32 (linking must not fail to allocate). */
    int16_t codes[WALK_STACK_DIM];
    walk_query walk = {.codes = codes, .sq_norm = ix->sq_norms[q]};
    const walk_query *w = NULL;
    if (ix->dim <= WALK_STACK_DIM) {
        walk.scale = chnsw_q8_query_codes(qv, ix->dim, codes, NULL);
        w = &walk;
    }
    for (int l = (level < top ? level : top); l >= 0; l--) {
        size_t n = search_layer(ix, v, qv, w, cur, ix->ef_construction, l);
        cur = v->work[0];
        /* Layer 0: the heuristic's M, filled to 2M with the closest others where that pays (neighbors.c). */
        size_t kept = l == 0 ? chnsw_select_layer0(ix, v->work, n) : chnsw_select_neighbors(ix, v->work, n, ix->m);
        node_lock(ix, q);
        uint32_t *links = node_links(ix, q, l);
        for (size_t i = 0; i < kept; i++) links[1 + i] = v->work[i].node;
        links[0] = (uint32_t)kept;
        node_unlock(ix, q);
        /* connect_back reuses v->work, so take the chosen neighbours out of it first. */
        scored chosen[CHNSW_MAX_LINKS0];
        memcpy(chosen, v->work, kept * sizeof(scored));
        for (size_t i = 0; i < kept; i++) connect_back(ix, v, chosen[i].node, q, chosen[i].distance, l);
    }

    if (raises_top) {
        ix->entry = q;
        ix->max_level = level;
        pthread_mutex_unlock(&ix->entry_mutex);
    }
}

typedef struct link_job {
    chnsw_index *ix;
    node_id first;
    size_t n;
    atomic_size_t next;
} link_job;

typedef struct link_worker {
    link_job *job;
    visited_list *scratch;
} link_worker;

static void *link_worker_main(void *arg) {
    link_worker *w = arg;
    link_job *job = w->job;
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed);
        if (i >= job->n) break;
        link_node(job->ix, w->scratch, job->first + (node_id)i);
    }
    return NULL;
}

void chnsw_graph_link_range(chnsw_index *ix, node_id first, size_t n, visited_list **scratch, uint32_t threads) {
    link_job job = {.ix = ix, .first = first, .n = n};
    atomic_init(&job.next, 0);
    link_worker workers[64];
    pthread_t handles[64];
    if (threads > 64) threads = 64;
    /* The first nodes build the top of the graph; link a few alone so threads don't all
     * wait on the entry-point mutex at the very start. */
    size_t warmup = n < 16 || threads == 1 ? n : 16;
    link_worker solo = {&job, scratch[0]};
    job.n = warmup;
    link_worker_main(&solo);
    job.n = n;

    uint32_t started = 0;
    for (uint32_t t = 1; t < threads; t++) {
        workers[t] = (link_worker){&job, scratch[t]};
        /* If a thread cannot start, the others simply take its share. */
        if (pthread_create(&handles[t], NULL, link_worker_main, &workers[t]) != 0) break;
        started = t;
    }
    link_worker_main(&solo);
    for (uint32_t t = 1; t <= started; t++) pthread_join(handles[t], NULL);
}

/* ---- the public writers ---- */

typedef struct row_key {
    uint64_t key;
    size_t row;
} row_key;

static int compare_row_key(const void *a, const void *b) {
    const row_key *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->row < y->row ? -1 : (x->row > y->row);
}

/* Validates every row; on failure sets *failed_row. Needs `sorted` (n row_keys) as scratch. */
static chnsw_status validate_batch(chnsw_index *ix, size_t n, const uint64_t *labels, const float *vectors,
                                   uint32_t dim, row_key *sorted, size_t *failed_row) {
    for (size_t r = 0; r < n; r++) {
        chnsw_status s = chnsw_check_vector(ix, vectors + r * (size_t)dim, dim);
        if (s == CHNSW_OK && chnsw_label_map_get(&ix->labels_map, labels[r]) != NO_NODE)
            s = CHNSW_ERR_DUPLICATE_LABEL;
        if (s != CHNSW_OK) {
            *failed_row = r;
            return s;
        }
        sorted[r] = (row_key){labels[r], r};
    }
    qsort(sorted, n, sizeof(row_key), compare_row_key);
    for (size_t i = 1; i < n; i++)
        if (sorted[i].key == sorted[i - 1].key) {
            *failed_row = sorted[i].row;
            return CHNSW_ERR_DUPLICATE_LABEL;
        }
    return CHNSW_OK;
}

static chnsw_status add_batch_locked(chnsw_index *ix, size_t n, const uint64_t *labels,
                                     const uint32_t *tenants, const float *vectors, uint32_t dim,
                                     uint32_t threads, size_t *failed_row) {
    if (dim != ix->dim) return CHNSW_ERR_DIMENSION_MISMATCH;
    if (ix->max_elements && ix->count + n > ix->max_elements) return CHNSW_ERR_CAPACITY_EXCEEDED;
    if (ix->count + n >= NO_NODE) return CHNSW_ERR_CAPACITY_EXCEEDED;

    row_key *order = chnsw_ix_alloc(ix, n * sizeof(row_key));
    if (!order) return CHNSW_ERR_OUT_OF_MEMORY;
    chnsw_status status = validate_batch(ix, n, labels, vectors, dim, order, failed_row);

    /* Group rows by tenant (stable), so each tenant's vectors land contiguously. */
    if (status == CHNSW_OK) {
        for (size_t r = 0; r < n; r++) order[r] = (row_key){tenants ? tenants[r] : 0, r};
        qsort(order, n, sizeof(row_key), compare_row_key);
    }

    /* Reserve everything before touching the index. */
    size_t needed = ix->count + n, capacity = ix->capacity ? ix->capacity : 1024;
    while (capacity < needed) capacity *= 2;
    if (status == CHNSW_OK) status = chnsw_ix_reserve(ix, capacity);
    if (status == CHNSW_OK) status = chnsw_label_map_reserve(ix, &ix->labels_map, ix->labels_map.size + n);
    if (status == CHNSW_OK) status = chnsw_tenant_map_reserve(ix, &ix->tenants_map, tenants, n);

    uint64_t rng_before = ix->rng_state;
    size_t allocated = 0;
    for (; status == CHNSW_OK && allocated < n; allocated++) {
        node_id id = (node_id)(ix->count + allocated);
        uint8_t level = draw_level(ix);
        ix->levels[id] = level;
        ix->upper[id] = NULL;
        if (level > 0) {
            ix->upper[id] = chnsw_ix_calloc(ix, (size_t)level * (ix->m + 1), sizeof(uint32_t));
            if (!ix->upper[id]) status = CHNSW_ERR_OUT_OF_MEMORY;
        }
    }
    if (threads == 0) threads = 1;
    if (threads > 64) threads = 64;
    if (threads > n) threads = (uint32_t)n;
    visited_list *scratch[64] = {0};
    size_t work = (ix->ef_construction > ix->m0 ? ix->ef_construction : ix->m0) + 1;
    for (uint32_t t = 0; status == CHNSW_OK && t < threads; t++) {
        scratch[t] = chnsw_visited_acquire(ix, ix->ef_construction, work);
        if (!scratch[t]) status = CHNSW_ERR_OUT_OF_MEMORY;
    }
    if (status != CHNSW_OK) {
        for (size_t i = 0; i < allocated; i++) {
            chnsw_ix_free(ix, ix->upper[ix->count + i]);
            ix->upper[ix->count + i] = NULL;
            ix->levels[ix->count + i] = 0;
        }
        for (uint32_t t = 0; t < threads; t++)
            if (scratch[t]) chnsw_visited_release(ix, scratch[t]);
        ix->rng_state = rng_before;
        chnsw_ix_free(ix, order);
        return status;
    }

    /* Commit: store every row, then link. Nothing below can fail. */
    node_id first = (node_id)ix->count;
    for (size_t i = 0; i < n; i++) {
        size_t r = order[i].row;
        node_id id = first + (node_id)i;
        float *dst = node_vector(ix, id);
        chnsw_prepare_vector(ix, vectors + r * (size_t)dim, dst);
        node_links0(ix, id)[0] = 0;
        ix->labels[id] = labels[r];
        ix->tenants[id] = (uint32_t)order[i].key;
        ix->removed[id] = 0;
        ix->sq_norms[id] = ix->kern.dot(dst, dst, dim);
        chnsw_walk_codes_store(ix, id);
        chnsw_label_map_put(&ix->labels_map, labels[r], id);
        chnsw_tenant_map_append(&ix->tenants_map, (uint32_t)order[i].key, id);
    }
    ix->count += n;
    ix->live_count += n;
    chnsw_ix_free(ix, order);

    chnsw_graph_link_range(ix, first, n, scratch, threads);
    for (uint32_t t = 0; t < threads; t++) chnsw_visited_release(ix, scratch[t]);
    return CHNSW_OK;
}

chnsw_status chnsw_add_batch(chnsw_index *ix, size_t n, const uint64_t *labels, const uint32_t *tenants,
                             const float *vectors, uint32_t dimension, uint32_t threads, size_t *failed_row) {
    size_t ignored;
    if (!failed_row) failed_row = &ignored;
    *failed_row = SIZE_MAX;
    if (!ix || (n && (!labels || !vectors))) return CHNSW_ERR_INVALID_ARGUMENT;
    if (n == 0) return CHNSW_OK;
    pthread_rwlock_wrlock(&ix->rwlock);
    chnsw_status status = chnsw_labels_ready(ix);
    if (status == CHNSW_OK) status = add_batch_locked(ix, n, labels, tenants, vectors, dimension, threads, failed_row);
    pthread_rwlock_unlock(&ix->rwlock);
    return status;
}

chnsw_status chnsw_add(chnsw_index *ix, uint64_t label, uint32_t tenant, const float *vector, uint32_t dimension) {
    if (!vector) return CHNSW_ERR_INVALID_ARGUMENT;
    return chnsw_add_batch(ix, 1, &label, &tenant, vector, dimension, 1, NULL);
}

/*
 * An update under one write lock: the label leaves the map only for the duration of the insert
 * (whose duplicate check would refuse it), and the old node is tombstoned only once the new one
 * is in. A failed insert leaves the index as it was (add_batch_locked's contract), so putting the
 * label back restores it; the map cannot need to grow for that, having just held the label.
 */
chnsw_status chnsw_update(chnsw_index *ix, uint64_t label, uint32_t tenant, const float *vector, uint32_t dimension) {
    if (!ix || !vector) return CHNSW_ERR_INVALID_ARGUMENT;
    size_t ignored;
    pthread_rwlock_wrlock(&ix->rwlock);
    chnsw_status ready = chnsw_labels_ready(ix);
    if (ready != CHNSW_OK) {
        pthread_rwlock_unlock(&ix->rwlock);
        return ready;
    }
    node_id old = chnsw_label_map_get(&ix->labels_map, label);
    if (old != NO_NODE) chnsw_label_map_erase(&ix->labels_map, label);
    chnsw_status status = add_batch_locked(ix, 1, &label, &tenant, vector, dimension, 1, &ignored);
    if (old != NO_NODE) {
        if (status == CHNSW_OK)
            chnsw_tombstone_node(ix, old);
        else
            chnsw_label_map_put(&ix->labels_map, label, old);
    }
    pthread_rwlock_unlock(&ix->rwlock);
    return status;
}
