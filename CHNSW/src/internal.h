/*
 * internal.h - the index's data structures, shared by the engine's source files only.
 */
#ifndef CHNSW_INTERNAL_H
#define CHNSW_INTERNAL_H

/* The engine uses POSIX threads and glibc's writer-preferring rwlock: ask for them
 * before the first system header (the build uses -std=c11, which hides them). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "chnsw.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* Everything declared below is internal to the library: hidden from its users (only the chnsw_*
 * functions of include/ are exported; `make -C CHNSW check-symbols` checks it). */
#pragma GCC visibility push(hidden)

/* Nodes are addressed by a dense 32-bit internal id, assigned in insertion order. */
typedef uint32_t node_id;
#define NO_NODE UINT32_MAX
#define MAX_LEVEL 31

/* A distance kernel: lower is closer. `dim` is the padded-free true dimension. */
typedef float (*distance_fn)(const float *a, const float *b, size_t dim);

/* out[r] = the exact integer dot product of an int16 query code vector with row r of `rows`
 * consecutive int8 code rows (codes + r * dim); needs dim * max|query| * 128 <= INT32_MAX. */
typedef void (*q8_dots_fn)(const int16_t *query, const int8_t *codes, size_t dim, size_t rows, int32_t *out);

/* The exact integer dot product of one int16 query code vector with one int8 code row (same bound). */
typedef int32_t (*q8_dot_fn)(const int16_t *query, const int8_t *codes, size_t dim);

/* The kernel set picked once at creation (distance.c). */
typedef struct kernels {
    chnsw_kernel kind;
    float (*dot)(const float *a, const float *b, size_t dim);
    float (*l2sq)(const float *a, const float *b, size_t dim);
} kernels;

/* label -> node, open addressing with linear probing (labels.c). */
typedef struct label_map {
    uint64_t *keys;
    node_id *values;   /* NO_NODE marks an empty slot */
    size_t capacity;   /* power of two */
    size_t size;
} label_map;

/* One tenant's nodes, ascending; removed nodes stay until the list is rebuilt. */
typedef struct tenant_entry {
    uint32_t tenant;
    uint32_t live;
    node_id *nodes;
    uint32_t count;
    uint32_t capacity;
} tenant_entry;

/* tenant -> entry index, open addressing (tenants.c). */
typedef struct tenant_map {
    uint32_t *keys;
    uint32_t *slots;   /* index into entries, UINT32_MAX = empty */
    size_t capacity;
    tenant_entry *entries;
    size_t entry_count;
    size_t entry_capacity;
} tenant_map;

/* A node with its distance to the query being processed. */
typedef struct scored {
    float distance;
    node_id node;
} scored;

/* A binary heap in a growable array (heap.h has the operations). */
typedef struct heap {
    scored *items;
    size_t size;
    size_t capacity;
} heap;

/*
 * Per-search scratch, pooled so that searches allocate nothing in the steady state:
 * a "visited" array whose 16-bit tags avoid clearing it between searches (visited.c),
 * the candidate and result heaps, and a work array for neighbour selection and scans.
 */
typedef struct visited_list {
    uint16_t *tags;
    size_t capacity;
    uint16_t current;
    heap candidates;
    heap results;
    scored *work;
    size_t work_capacity;
    struct visited_list *next;
} visited_list;

typedef struct visited_pool {
    pthread_mutex_t mutex;
    visited_list *free_lists;
} visited_pool;

struct chnsw_index {
    /* configuration */
    uint32_t dim;
    chnsw_metric metric;
    uint32_t m;          /* links per node on layers >= 1 */
    uint32_t m0;         /* links per node on layer 0 (2 * m) */
    uint32_t ef_construction;
    uint32_t exact_scan_threshold;
    uint64_t max_elements;
    double level_multiplier;
    uint64_t rng_state;
    chnsw_allocator allocator;
    kernels kern;

    /*
     * Layer-0 storage: one fixed-size block per node, [vector | u32 link count | m0 links],
     * padded to 64 bytes so every vector is cache-line aligned. Keeping a node's vector
     * beside its links means one prefetch brings in what the search reads next.
     */
    uint8_t *blocks;
    size_t block_size;
    size_t links_offset;

    /*
     * The int8 copy the search walks the graph on (walk_codes.c): one record per node,
     * [int8 codes (dim) | pad to 4 | f32 scale | f32 squared norm | f32 error bound], padded
     * to 64 bytes (448 bytes at 384-d against 1,536 of f32), saved with the index.
     */
    uint8_t *codes;
    size_t code_stride;
    size_t code_scale_offset;
    q8_dot_fn walk_dot;  /* the one-row int16 x int8 kernel matching `kern` */

    /*
     * An index opened from a version-3 file keeps the file mapped (private, copy-on-write) and
     * `blocks` and `codes` point into it, so opening neither copies nor zeroes them (persist.c).
     * The first growth moves both to the heap and unmaps the file (index.c). NULL otherwise.
     */
    uint8_t *mapping;
    size_t mapping_size;

    size_t capacity;     /* nodes the arrays can hold */
    size_t count;        /* nodes inserted (live + removed) */

    /* per-node arrays, `capacity` long */
    uint64_t *labels;
    uint32_t *tenants;
    uint8_t *levels;
    uint8_t *removed;
    float *sq_norms;     /* squared norms, for L2 exact scans through BLAS (zero for the nodes of a
                          * mapped inner-product or cosine file: nothing reads them there) */
    uint32_t **upper;    /* per node: level * (1 + m) u32 for layers 1..level, NULL at level 0 */
    atomic_uchar *node_locks; /* taken while a parallel build reads or rewrites a node's links */

    node_id entry;
    int32_t max_level;
    uint64_t live_count;

    /*
     * What decides whether a new node's layer-0 list is filled past the heuristic's M
     * (neighbors.c): of the new nodes whose heuristic pass chose among more than 2M candidates,
     * how many it ran and how many kept all M. Counted by this process's inserts; not saved.
     */
    atomic_uint_fast64_t heuristic_runs;
    atomic_uint_fast64_t heuristic_full;

    label_map labels_map; /* complete only once labels_state is LABELS_READY (chnsw_labels_ready) */
    atomic_int labels_state;
    pthread_mutex_t labels_mutex; /* one of several readers builds the label map; see labels.c */
    tenant_map tenants_map;
    visited_pool visited;

    pthread_rwlock_t rwlock;      /* readers vs the single writer (see chnsw.h) */
    pthread_mutex_t entry_mutex;  /* entry point and top level during a parallel build */
};

/* ---- files (persist.c) ---- */
/* chnsw_save in an older format `version` (1 or 2, for tests of reading old files) or the current one. */
chnsw_status chnsw_persist_save_version(chnsw_index *ix, const char *path, uint32_t version);

/* ---- allocation (index.c) ---- */
void *chnsw_ix_alloc(const chnsw_index *ix, size_t size);
void *chnsw_ix_calloc(const chnsw_index *ix, size_t count, size_t size);
void *chnsw_ix_realloc(const chnsw_index *ix, void *p, size_t size);
void chnsw_ix_free(const chnsw_index *ix, void *p);
chnsw_status chnsw_ix_reserve(chnsw_index *ix, size_t capacity);
/* chnsw_ix_reserve for an empty index whose caller then writes every byte of the first `capacity`
 * node blocks' vector and links and of their walk records (chnsw_load): those are not zeroed. */
chnsw_status chnsw_ix_reserve_filled(chnsw_index *ix, size_t capacity);
/* chnsw_ix_reserve for an empty index whose `capacity` node blocks and walk records are already
 * written at `blocks` and `codes`, inside ix->mapping (a version-3 file). */
chnsw_status chnsw_ix_reserve_mapped(chnsw_index *ix, size_t capacity, uint8_t *blocks, uint8_t *codes);
/* Whether p points into the index's file mapping. */
static inline bool ix_in_mapping(const chnsw_index *ix, const void *p) {
    return ix->mapping && (const uint8_t *)p >= ix->mapping && (const uint8_t *)p < ix->mapping + ix->mapping_size;
}
chnsw_index *chnsw_ix_new_empty(const chnsw_config *config, chnsw_status *status);

/* ---- node accessors ---- */
static inline float *node_vector(const chnsw_index *ix, node_id n) {
    return (float *)(ix->blocks + (size_t)n * ix->block_size);
}
static inline uint32_t *node_links0(const chnsw_index *ix, node_id n) {
    return (uint32_t *)(ix->blocks + (size_t)n * ix->block_size + ix->links_offset);
}
/* Layer `level` >= 1 of node n: [count, links...]. */
static inline uint32_t *node_links_upper(const chnsw_index *ix, node_id n, int level) {
    return ix->upper[n] + (size_t)(level - 1) * (ix->m + 1);
}
static inline uint32_t *node_links(const chnsw_index *ix, node_id n, int level) {
    return level == 0 ? node_links0(ix, n) : node_links_upper(ix, n, level);
}

/* Node n's int8 codes, and the scale, squared norm and error bound stored after them (walk_codes.c). */
static inline const int8_t *node_codes(const chnsw_index *ix, node_id n) {
    return (const int8_t *)(ix->codes + (size_t)n * ix->code_stride);
}
static inline const float *node_code_scale_norm(const chnsw_index *ix, node_id n) {
    return (const float *)(ix->codes + (size_t)n * ix->code_stride + ix->code_scale_offset);
}

/* ---- distances (distance.c) ---- */
chnsw_status chnsw_kernels_select(chnsw_kernel wanted, kernels *out);
static inline float ix_distance(const chnsw_index *ix, const float *a, const float *b) {
    if (ix->metric == CHNSW_METRIC_L2) return ix->kern.l2sq(a, b, ix->dim);
    return 1.0f - ix->kern.dot(a, b, ix->dim);
}

/* ---- int8 scans (block_q8.c) ---- */
/* The q8_dots_fn kernel for `kind` (AUTO: the widest this CPU runs); NULL if this CPU cannot run it. */
q8_dots_fn chnsw_q8_dots_kernel(chnsw_kernel kind);
/* Its one-row counterpart (what a graph walk calls per node, without the row loop). */
q8_dot_fn chnsw_q8_dot_kernel(chnsw_kernel kind);
/* Quantises q (dim floats) to int16 codes with one scale, returned, chosen so that the kernels'
 * int32 sums cannot overflow (|code| <= M with dim * M * 128 <= INT32_MAX); q ~ scale * codes.
 * *l1_error (if not NULL) receives sum_i |q_i - scale * codes_i|. */
float chnsw_q8_query_codes(const float *q, uint32_t dim, int16_t *codes, double *l1_error);
/* Its portable loops, which the vector path (on CPUs with AVX2) matches bit for bit (a test checks). */
float chnsw_q8_query_codes_portable(const float *q, uint32_t dim, int16_t *codes, double *l1_error);
/* One row's int8 codes, scale and (when `bound` is not NULL) error bound exactly as
 * chnsw_quantize_block writes them. Errors: NON_FINITE. */
chnsw_status chnsw_q8_row_codes(const float *x, uint32_t dim, int8_t *codes, float *scale, float *bound);

/* A quantised query as the error intervals of block_q8.c see it (the proof above
 * chnsw_scan_block_q8): <q, x> lies within q8_interval_slack of s_x * scale * <qc, c>. */
typedef struct q8_query {
    float scale;     /* s_q */
    float row_slack; /* per unit of |s_x|: 128 ||d||_1, plus the large-dim rounding term */
    float norm;      /* ||q||, plus gamma_dim of it above 1,600 dimensions; rounded up */
} q8_query;
/* Quantises q (dim floats, squared norm sq_norm) into int16 codes and returns its interval terms. */
q8_query chnsw_q8_query_prepare(const float *q, uint32_t dim, double sq_norm, int16_t *codes);
/* f32 rounding pad of an interval, per unit of 1 + |sim| + slack (block_q8.c's proof). */
#define Q8_PAD 0x1p-20f
/* Half-width of the interval around 1 - sim (sim = s_x * s_q * <qc, c>, in f32) that holds the
 * f32 distance 1 - dot(q, x) of a row with scale s_x and stored bound bound_x. */
static inline float q8_interval_slack(const q8_query *qq, float scale_x, float bound_x, float sim) {
    float s = qq->norm * bound_x + (scale_x < 0 ? -scale_x : scale_x) * qq->row_slack;
    float a = sim < 0 ? -sim : sim;
    return s + Q8_PAD * (1.0f + a + s);
}

/* ---- the int8 walk (walk_codes.c) ---- */
/* Sets the code record layout and kernel of a new index (before any node is stored). */
void chnsw_walk_codes_configure(chnsw_index *ix);
/* Writes node n's code record from its stored vector and ix->sq_norms[n]. */
void chnsw_walk_codes_store(chnsw_index *ix, node_id n);

/* A query as the walk sees it: int16 codes (q ~ scale * codes) and its squared norm; for a
 * search also its interval terms (bounds.scale == scale), which the rescoring uses. */
typedef struct walk_query {
    const int16_t *codes;
    float scale;
    float sq_norm;
    q8_query bounds;
} walk_query;

/* How many neighbours ahead of the one being scored a walk prefetches. With 7-line code
 * records, 5 beat 3 by 5-12 % and 8 (too many misses in flight) lost 4-7 % on realistic-100k. */
#define WALK_PREFETCH_AHEAD 5

/* Walks keep the query's int16 codes on the stack up to this many dimensions. */
#define WALK_STACK_DIM 1024

/* Prefetches node n's whole f32 vector (24 lines at 384-d), for a rescoring about to read it. */
static inline void prefetch_vector(const chnsw_index *ix, node_id n) {
    const char *p = (const char *)node_vector(ix, n);
    for (size_t at = 0; at < ix->dim * sizeof(float); at += 64) __builtin_prefetch(p + at);
}

/* Prefetches node n's layer-0 link count and links (they follow its f32 vector). */
static inline void prefetch_links0(const chnsw_index *ix, node_id n) {
    const char *p = (const char *)node_links0(ix, n);
    for (size_t at = 0; at < (1 + (size_t)ix->m0) * sizeof(uint32_t); at += 64) __builtin_prefetch(p + at);
}

/* Prefetches node n's whole code record (7 lines at 384-d). */
static inline void walk_prefetch_codes(const chnsw_index *ix, node_id n) {
    const char *p = (const char *)node_codes(ix, n);
    for (size_t at = 0; at < ix->code_stride; at += 64) __builtin_prefetch(p + at);
}

/* The walk's distance to node n from the codes: within the quantisation error of the exact one. */
static inline float walk_distance(const chnsw_index *ix, const walk_query *w, node_id n) {
    const int8_t *c = node_codes(ix, n);
    int32_t dot = ix->walk_dot(w->codes, c, ix->dim);
    const float *scale_norm = node_code_scale_norm(ix, n);
    float sim = scale_norm[0] * w->scale * (float)dot;
    if (ix->metric == CHNSW_METRIC_L2) return w->sq_norm + scale_norm[1] - 2.0f * sim;
    return 1.0f - sim;
}

/* ---- vector validation (validate.c) ---- */
chnsw_status chnsw_check_vector(const chnsw_index *ix, const float *v, uint32_t dim);
/* chnsw_check_vector that also gives v's sum of squares (chnsw_sum_squares) when v is valid. */
chnsw_status chnsw_check_vector_norm(const chnsw_index *ix, const float *v, uint32_t dim, double *sq_norm);
/* The sum of v_i^2 in double (non-finite when an element is). */
double chnsw_sum_squares(const float *v, uint32_t dim);
/* Its portable loop, which the vector path matches bit for bit (a test checks). */
double chnsw_sum_squares_portable(const float *v, uint32_t dim);
/* Copies v into out, normalised when the metric is cosine. */
void chnsw_prepare_vector(const chnsw_index *ix, const float *v, float *out);

/* ---- labels (labels.c) ---- */
chnsw_status chnsw_label_map_init(chnsw_index *ix, label_map *map, size_t capacity);
void chnsw_label_map_destroy(chnsw_index *ix, label_map *map);
node_id chnsw_label_map_get(const label_map *map, uint64_t key);
/* Starts loading the slot where `key` would be (opening fills the map in a loop of misses). */
void chnsw_label_map_prefetch(const label_map *map, uint64_t key);
chnsw_status chnsw_label_map_reserve(chnsw_index *ix, label_map *map, size_t size);
/* labels_state: the map holds every live label, is still to be built (an opened file), or was
 * found holding one label on two live nodes (the file is damaged; every call that needs it fails). */
enum { LABELS_READY, LABELS_PENDING, LABELS_DUPLICATE };
/* Builds the label map of an opened index if not yet built; call with the index's lock held
 * (read or write) before any use of ix->labels_map. CHNSW_ERR_CORRUPT_FILE for two live nodes
 * with one label, CHNSW_ERR_OUT_OF_MEMORY (retried on the next call). */
chnsw_status chnsw_labels_ready(chnsw_index *ix);
void chnsw_label_map_put(label_map *map, uint64_t key, node_id value); /* capacity reserved first */
void chnsw_label_map_erase(label_map *map, uint64_t key);

/* ---- tenants (tenants.c) ---- */
chnsw_status chnsw_tenant_map_init(chnsw_index *ix, tenant_map *map);
void chnsw_tenant_map_destroy(chnsw_index *ix, tenant_map *map);
tenant_entry *chnsw_tenant_map_find(const tenant_map *map, uint32_t tenant);
chnsw_status chnsw_tenant_map_reserve(chnsw_index *ix, tenant_map *map, const uint32_t *tenants, size_t n);
void chnsw_tenant_map_append(tenant_map *map, uint32_t tenant, node_id node); /* reserved first */
uint64_t chnsw_tenant_map_live_tenants(const tenant_map *map);

/* ---- visited lists (visited.c) ---- */
chnsw_status chnsw_visited_pool_init(visited_pool *pool);
void chnsw_visited_pool_destroy(chnsw_index *ix, visited_pool *pool);
/*
 * Returns scratch with a fresh tag, sized for ix->capacity, whose heaps hold at least
 * `results` + 1 items and work array `work` items; NULL when out of memory.
 */
visited_list *chnsw_visited_acquire(chnsw_index *ix, size_t results, size_t work);
void chnsw_visited_release(chnsw_index *ix, visited_list *list);
/* Starts a new walk: bumps the tag, clearing the array only when the 16-bit tag wraps. */
static inline void visited_next_tag(visited_list *v) {
    if (++v->current == 0) {
        for (size_t i = 0; i < v->capacity; i++) v->tags[i] = 0;
        v->current = 1;
    }
}
/* Whether n was visited in this walk, marking it visited. The store is unconditional: a walk's
 * gather loops (fresh += !visited_test_and_set(...)) then have no branch on the tag, whose value
 * is a coin toss the CPU mispredicts. */
static inline bool visited_test_and_set(visited_list *v, node_id n) {
    bool seen = v->tags[n] == v->current;
    v->tags[n] = v->current;
    return seen;
}

/* ---- removal (index.c) ---- */
/* Marks live node n removed (live counts drop); the caller holds the write lock and updates the label map. */
void chnsw_tombstone_node(chnsw_index *ix, node_id n);

/* ---- graph construction (insert.c, neighbors.c) ---- */
/* Links nodes first..first+n-1 (already stored) into the graph with up to `threads` threads. */
void chnsw_graph_link_range(chnsw_index *ix, node_id first, size_t n, visited_list **scratch, uint32_t threads);
/*
 * The paper's neighbour-selection heuristic: keeps from candidates[0..n) (sorted
 * ascending) each one closer to the base than to every one already kept, up to `limit`.
 * Returns the count kept, compacted at the front of candidates.
 */
size_t chnsw_select_neighbors(const chnsw_index *ix, scored *candidates, size_t n, size_t limit);
/* Layer-0 links per node at most: 2 * the largest M chnsw_create accepts (256). */
#define CHNSW_MAX_LINKS0 512
/*
 * A new node's layer-0 links among its n candidates (ascending): the heuristic's M, filled up to
 * 2M while the data's heuristic passes mostly keep fewer than M (neighbors.c says why). Counts
 * this pass in ix's heuristic_runs / heuristic_full. Returns the count kept, at the front.
 */
size_t chnsw_select_layer0(chnsw_index *ix, scored *candidates, size_t n);

/* ---- locks on single nodes, used only by inserts (readers hold the index read lock) ---- */
static inline void node_lock(const chnsw_index *ix, node_id n) {
    while (atomic_exchange_explicit(&ix->node_locks[n], 1, memory_order_acquire))
        while (atomic_load_explicit(&ix->node_locks[n], memory_order_relaxed)) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        }
}
static inline void node_unlock(const chnsw_index *ix, node_id n) {
    atomic_store_explicit(&ix->node_locks[n], 0, memory_order_release);
}

#pragma GCC visibility pop

#endif /* CHNSW_INTERNAL_H */
