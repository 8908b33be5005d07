/*
 * index.c - index lifecycle, memory, status names, and the small reader/writer calls.
 */
#include "internal.h"
#include "blas_loader.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- allocation through the configured allocator ---- */

static void *default_allocate(size_t size, void *context) {
    (void)context;
    return malloc(size);
}
static void *default_reallocate(void *p, size_t size, void *context) {
    (void)context;
    return realloc(p, size);
}
static void default_release(void *p, void *context) {
    (void)context;
    free(p);
}

void *chnsw_ix_alloc(const chnsw_index *ix, size_t size) {
    return ix->allocator.allocate(size ? size : 1, ix->allocator.context);
}
void *chnsw_ix_calloc(const chnsw_index *ix, size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) return NULL;
    void *p = chnsw_ix_alloc(ix, count * size);
    if (p) memset(p, 0, count * size);
    return p;
}
void *chnsw_ix_realloc(const chnsw_index *ix, void *p, size_t size) {
    return ix->allocator.reallocate(p, size ? size : 1, ix->allocator.context);
}
void chnsw_ix_free(const chnsw_index *ix, void *p) {
    if (p) ix->allocator.release(p, ix->allocator.context);
}

/* ---- status names ---- */

static const char *const status_names[CHNSW_STATUS_COUNT] = {
    "CHNSW_OK",
    "CHNSW_ERR_INVALID_ARGUMENT",
    "CHNSW_ERR_DIMENSION_MISMATCH",
    "CHNSW_ERR_NON_FINITE",
    "CHNSW_ERR_ZERO_VECTOR",
    "CHNSW_ERR_K_ZERO",
    "CHNSW_ERR_K_EXCEEDS_COUNT",
    "CHNSW_ERR_EF_TOO_SMALL",
    "CHNSW_ERR_EMPTY_INDEX",
    "CHNSW_ERR_UNKNOWN_TENANT",
    "CHNSW_ERR_DUPLICATE_LABEL",
    "CHNSW_ERR_UNKNOWN_LABEL",
    "CHNSW_ERR_OUT_OF_MEMORY",
    "CHNSW_ERR_CAPACITY_EXCEEDED",
    "CHNSW_ERR_UNSUPPORTED_KERNEL",
    "CHNSW_ERR_IO",
    "CHNSW_ERR_CORRUPT_FILE",
    "CHNSW_ERR_UNSUPPORTED_VERSION",
    "CHNSW_ERR_THREAD",
    "CHNSW_ERR_BLAS_UNAVAILABLE",
};

static const char *const status_messages[CHNSW_STATUS_COUNT] = {
    "success",
    "a required argument is missing or out of range",
    "the vector's dimension differs from the index's",
    "the vector contains NaN or infinity",
    "a zero vector cannot be normalised for the cosine metric",
    "k must be at least 1",
    "k exceeds the number of vectors in the index",
    "ef must be at least k",
    "the index is empty",
    "the tenant has no vectors in the index",
    "the label is already in the index",
    "the label is not in the index",
    "out of memory",
    "the index is at its configured capacity",
    "this CPU does not support the requested distance kernel",
    "an I/O operation failed",
    "the file is not a valid index or is damaged",
    "the file was written by a newer format version",
    "a worker thread could not be started",
    "OpenBLAS (" CHNSW_BLAS_SONAME ") could not be loaded: install the libopenblas0 package (Debian; libopenblas-dev also brings it)",
};

const char *chnsw_status_name(chnsw_status status) {
    return (unsigned)status < CHNSW_STATUS_COUNT ? status_names[status] : "CHNSW_ERR_UNKNOWN";
}

const char *chnsw_status_message(chnsw_status status) {
    return (unsigned)status < CHNSW_STATUS_COUNT ? status_messages[status] : "unknown status";
}

/* ---- configuration ---- */

void chnsw_config_init(chnsw_config *config, uint32_t dimension, chnsw_metric metric) {
    if (!config) return;
    memset(config, 0, sizeof(*config));
    config->dimension = dimension;
    config->metric = metric;
    config->m = 16;
    config->ef_construction = 200;
    config->seed = 42;
    config->exact_scan_threshold = CHNSW_DEFAULT_EXACT_SCAN_THRESHOLD;
    config->kernel = CHNSW_KERNEL_AUTO;
}

void chnsw_search_params_init(chnsw_search_params *params) {
    if (!params) return;
    memset(params, 0, sizeof(*params));
    params->k = 10;
    params->ef = 64;
    params->plan = CHNSW_PLAN_AUTO;
}

/* ---- lifecycle ---- */

chnsw_index *chnsw_ix_new_empty(const chnsw_config *config, chnsw_status *status) {
    *status = CHNSW_ERR_INVALID_ARGUMENT;
    if (!config || config->dimension == 0 || config->dimension > 65536) return NULL;
    if ((unsigned)config->metric > CHNSW_METRIC_COSINE) return NULL;
    if (config->m < 2 || config->m > 256 || config->ef_construction == 0) return NULL;
    const chnsw_allocator *a = config->allocator;
    if (a && (!a->allocate || !a->reallocate || !a->release)) return NULL;

    kernels kern;
    *status = chnsw_kernels_select(config->kernel, &kern);
    if (*status != CHNSW_OK) return NULL;

    chnsw_allocator allocator = a ? *a
                                  : (chnsw_allocator){default_allocate, default_reallocate,
                                                      default_release, NULL};
    chnsw_index *ix = allocator.allocate(sizeof(chnsw_index), allocator.context);
    *status = CHNSW_ERR_OUT_OF_MEMORY;
    if (!ix) return NULL;
    memset(ix, 0, sizeof(*ix));
    ix->allocator = allocator;
    ix->kern = kern;
    ix->dim = config->dimension;
    ix->metric = config->metric;
    ix->m = config->m;
    ix->m0 = 2 * config->m;
    ix->ef_construction = config->ef_construction;
    ix->exact_scan_threshold = config->exact_scan_threshold ? config->exact_scan_threshold
                                                            : CHNSW_DEFAULT_EXACT_SCAN_THRESHOLD;
    ix->max_elements = config->max_elements;
    ix->level_multiplier = 1.0 / log((double)config->m);
    ix->rng_state = config->seed ? config->seed : 0x9E3779B97F4A7C15ULL;
    ix->links_offset = (size_t)ix->dim * sizeof(float);
    size_t raw = ix->links_offset + (1 + (size_t)ix->m0) * sizeof(uint32_t);
    ix->block_size = (raw + 63) & ~(size_t)63;
    chnsw_walk_codes_configure(ix);
    ix->entry = NO_NODE;
    ix->max_level = -1;

    bool rw = false, em = false, vp = false;
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
#ifdef __GLIBC__
    /* Writer preference: a steady stream of searches must not starve inserts. */
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
    rw = pthread_rwlock_init(&ix->rwlock, &attr) == 0;
    pthread_rwlockattr_destroy(&attr);
    em = rw && pthread_mutex_init(&ix->entry_mutex, NULL) == 0;
    bool lm = em && pthread_mutex_init(&ix->labels_mutex, NULL) == 0;
    vp = lm && chnsw_visited_pool_init(&ix->visited) == CHNSW_OK;
    atomic_init(&ix->labels_state, LABELS_READY);
    if (!vp || chnsw_label_map_init(ix, &ix->labels_map, 16) != CHNSW_OK ||
        chnsw_tenant_map_init(ix, &ix->tenants_map) != CHNSW_OK) {
        if (vp) chnsw_visited_pool_destroy(ix, &ix->visited);
        if (lm) pthread_mutex_destroy(&ix->labels_mutex);
        if (em) pthread_mutex_destroy(&ix->entry_mutex);
        if (rw) pthread_rwlock_destroy(&ix->rwlock);
        chnsw_label_map_destroy(ix, &ix->labels_map);
        allocator.release(ix, allocator.context);
        return NULL;
    }
    *status = CHNSW_OK;
    return ix;
}

chnsw_status chnsw_create(const chnsw_config *config, chnsw_index **out) {
    if (!out) return CHNSW_ERR_INVALID_ARGUMENT;
    *out = NULL;
    chnsw_status status;
    chnsw_index *ix = chnsw_ix_new_empty(config, &status);
    if (status == CHNSW_OK) *out = ix;
    return status;
}

void chnsw_free(chnsw_index *ix) {
    if (!ix) return;
    if (ix->upper)
        for (size_t i = 0; i < ix->count; i++) chnsw_ix_free(ix, ix->upper[i]);
    if (!ix_in_mapping(ix, ix->blocks)) chnsw_ix_free(ix, ix->blocks);
    if (!ix_in_mapping(ix, ix->codes)) chnsw_ix_free(ix, ix->codes);
    if (ix->mapping) munmap(ix->mapping, ix->mapping_size);
    chnsw_ix_free(ix, ix->labels);
    chnsw_ix_free(ix, ix->tenants);
    chnsw_ix_free(ix, ix->levels);
    chnsw_ix_free(ix, ix->removed);
    chnsw_ix_free(ix, ix->sq_norms);
    chnsw_ix_free(ix, ix->upper);
    chnsw_ix_free(ix, (void *)ix->node_locks);
    chnsw_label_map_destroy(ix, &ix->labels_map);
    chnsw_tenant_map_destroy(ix, &ix->tenants_map);
    chnsw_visited_pool_destroy(ix, &ix->visited);
    pthread_mutex_destroy(&ix->labels_mutex);
    pthread_mutex_destroy(&ix->entry_mutex);
    pthread_rwlock_destroy(&ix->rwlock);
    chnsw_allocator a = ix->allocator;
    a.release(ix, a.context);
}

/*
 * Asks the kernel to back the 2 MiB-aligned part of a large array with huge pages. A search
 * touches a few hundred random nodes spread over the whole block array (165 MB at 100k x 384),
 * so with 4 KiB pages nearly every node visit is also a TLB miss and a page walk; with 2 MiB
 * pages the walks mostly vanish (unfiltered search +16-20 % QPS on realistic-100k, measured in
 * docs/benchmarks-archive.md). It must run before the pages are first touched. Only for memory from the
 * C library's allocator: a caller's allocator owns its memory's policy. Advisory: a kernel
 * without transparent huge pages ignores it, and so does this code.
 */
static void advise_huge_pages(const chnsw_index *ix, void *p, size_t n) {
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (ix->allocator.allocate != default_allocate || n < 2 * huge) return;
    uintptr_t start = ((uintptr_t)p + huge - 1) & ~(huge - 1), end = ((uintptr_t)p + n) & ~(huge - 1);
    if (end > start) (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)ix, (void)p, (void)n;
#endif
}

/* A realloc of an array that may live in the file mapping, which only a heap copy can grow. */
static void *grow_array(chnsw_index *ix, void *p, size_t old_bytes, size_t bytes) {
    if (!ix_in_mapping(ix, p)) {
        void *grown = chnsw_ix_realloc(ix, p, bytes);
        if (grown) advise_huge_pages(ix, grown, bytes);
        return grown;
    }
    void *grown = chnsw_ix_alloc(ix, bytes);
    if (!grown) return NULL;
    advise_huge_pages(ix, grown, bytes);
    memcpy(grown, p, old_bytes);
    return grown;
}

/* How reserve treats the node blocks and walk records: zeroed, left for the caller to fill,
 * or already in the file mapping (set by the caller, not grown). */
typedef enum { RESERVE_ZEROED, RESERVE_FILLED, RESERVE_MAPPED } reserve_mode;

/* Grows every per-node array to hold `capacity` nodes; on failure capacity is unchanged.
 * New slots are zeroed, except the node blocks and walk records when the caller writes all of
 * them next (a file being copied in: zeroing 150 MB first only costs) or they are mapped. */
static chnsw_status reserve(chnsw_index *ix, size_t capacity, reserve_mode mode) {
    if (capacity <= ix->capacity) return CHNSW_OK;
    if (capacity > NO_NODE) return CHNSW_ERR_CAPACITY_EXCEEDED;
    size_t old = ix->capacity;
#define GROW_Z(field, elem, zero)                                                                     \
    do {                                                                                              \
        void *grown = grow_array(ix, (void *)ix->field, old * (elem), capacity * (elem));             \
        if (!grown) return CHNSW_ERR_OUT_OF_MEMORY;                                                   \
        ix->field = grown;                                                                            \
        if (zero) memset((uint8_t *)grown + old * (elem), 0, (capacity - old) * (elem));              \
    } while (0)
#define GROW(field, elem) GROW_Z(field, elem, true)
    if (capacity > SIZE_MAX / ix->block_size) return CHNSW_ERR_OUT_OF_MEMORY;
    if (capacity > SIZE_MAX / ix->code_stride) return CHNSW_ERR_OUT_OF_MEMORY;
    /* Each array grows independently; a failure part-way only leaves spare room. */
    if (mode != RESERVE_MAPPED) {
        GROW_Z(blocks, ix->block_size, mode == RESERVE_ZEROED);
        GROW_Z(codes, ix->code_stride, mode == RESERVE_ZEROED);
        /* Both moved to the heap: the file mapping has no reader left. */
        if (ix->mapping && !ix_in_mapping(ix, ix->blocks) && !ix_in_mapping(ix, ix->codes)) {
            munmap(ix->mapping, ix->mapping_size);
            ix->mapping = NULL;
            ix->mapping_size = 0;
        }
    }
    GROW(labels, sizeof(uint64_t));
    GROW(tenants, sizeof(uint32_t));
    GROW(levels, sizeof(uint8_t));
    GROW(removed, sizeof(uint8_t));
    GROW(sq_norms, sizeof(float));
    GROW(upper, sizeof(uint32_t *));
    GROW(node_locks, sizeof(atomic_uchar));
#undef GROW
#undef GROW_Z
    ix->capacity = capacity;
    return CHNSW_OK;
}

chnsw_status chnsw_ix_reserve(chnsw_index *ix, size_t capacity) { return reserve(ix, capacity, RESERVE_ZEROED); }

chnsw_status chnsw_ix_reserve_filled(chnsw_index *ix, size_t capacity) {
    return ix->capacity == 0 ? reserve(ix, capacity, RESERVE_FILLED) : CHNSW_ERR_INVALID_ARGUMENT;
}

chnsw_status chnsw_ix_reserve_mapped(chnsw_index *ix, size_t capacity, uint8_t *blocks, uint8_t *codes) {
    if (ix->capacity != 0 || !ix_in_mapping(ix, blocks) || !ix_in_mapping(ix, codes)) return CHNSW_ERR_INVALID_ARGUMENT;
    ix->blocks = blocks;
    ix->codes = codes;
    return reserve(ix, capacity, RESERVE_MAPPED);
}

/* ---- small readers ---- */

chnsw_status chnsw_get_info(chnsw_index *ix, chnsw_info *info) {
    if (!ix || !info) return CHNSW_ERR_INVALID_ARGUMENT;
    pthread_rwlock_rdlock(&ix->rwlock);
    memset(info, 0, sizeof(*info));
    info->dimension = ix->dim;
    info->metric = ix->metric;
    info->m = ix->m;
    info->ef_construction = ix->ef_construction;
    info->exact_scan_threshold = ix->exact_scan_threshold;
    info->kernel = ix->kern.kind;
    info->node_count = ix->count;
    info->live_count = ix->live_count;
    info->removed_count = ix->count - ix->live_count;
    info->tenant_count = chnsw_tenant_map_live_tenants(&ix->tenants_map);
    info->max_level = ix->max_level;
    uint64_t bytes = ix->capacity * (ix->block_size + ix->code_stride + sizeof(uint64_t) + sizeof(uint32_t) + 3 +
                                     sizeof(float) + sizeof(uint32_t *));
    for (size_t i = 0; i < ix->count; i++)
        bytes += (uint64_t)ix->levels[i] * (ix->m + 1) * sizeof(uint32_t);
    /* A map still to be built (or being built by another reader) has no size worth counting yet. */
    if (atomic_load_explicit(&ix->labels_state, memory_order_acquire) == LABELS_READY)
        bytes += ix->labels_map.capacity * (sizeof(uint64_t) + sizeof(node_id));
    for (size_t i = 0; i < ix->tenants_map.entry_count; i++)
        bytes += ix->tenants_map.entries[i].capacity * sizeof(node_id);
    info->memory_bytes = bytes;
    pthread_rwlock_unlock(&ix->rwlock);
    return CHNSW_OK;
}

chnsw_status chnsw_tenant_size(chnsw_index *ix, uint32_t tenant, uint64_t *size) {
    if (!ix || !size) return CHNSW_ERR_INVALID_ARGUMENT;
    pthread_rwlock_rdlock(&ix->rwlock);
    tenant_entry *e = chnsw_tenant_map_find(&ix->tenants_map, tenant);
    *size = e ? e->live : 0;
    pthread_rwlock_unlock(&ix->rwlock);
    return CHNSW_OK;
}

chnsw_status chnsw_live_count(chnsw_index *ix, uint64_t *count) {
    if (!ix || !count) return CHNSW_ERR_INVALID_ARGUMENT;
    pthread_rwlock_rdlock(&ix->rwlock);
    *count = ix->live_count;
    pthread_rwlock_unlock(&ix->rwlock);
    return CHNSW_OK;
}

chnsw_status chnsw_contains(chnsw_index *ix, uint64_t label, int *present) {
    if (!ix || !present) return CHNSW_ERR_INVALID_ARGUMENT;
    pthread_rwlock_rdlock(&ix->rwlock);
    chnsw_status status = chnsw_labels_ready(ix);
    *present = status == CHNSW_OK && chnsw_label_map_get(&ix->labels_map, label) != NO_NODE;
    pthread_rwlock_unlock(&ix->rwlock);
    return status;
}

chnsw_status chnsw_get_vector(chnsw_index *ix, uint64_t label, float *out, uint32_t dimension) {
    if (!ix || !out) return CHNSW_ERR_INVALID_ARGUMENT;
    if (dimension != ix->dim) return CHNSW_ERR_DIMENSION_MISMATCH;
    pthread_rwlock_rdlock(&ix->rwlock);
    chnsw_status status = chnsw_labels_ready(ix);
    node_id n = status == CHNSW_OK ? chnsw_label_map_get(&ix->labels_map, label) : NO_NODE;
    if (n != NO_NODE) memcpy(out, node_vector(ix, n), ix->dim * sizeof(float));
    pthread_rwlock_unlock(&ix->rwlock);
    return status != CHNSW_OK ? status : n == NO_NODE ? CHNSW_ERR_UNKNOWN_LABEL : CHNSW_OK;
}

/* ---- removal ---- */

chnsw_status chnsw_remove(chnsw_index *ix, uint64_t label) {
    if (!ix) return CHNSW_ERR_INVALID_ARGUMENT;
    pthread_rwlock_wrlock(&ix->rwlock);
    chnsw_status status = chnsw_labels_ready(ix);
    node_id n = status == CHNSW_OK ? chnsw_label_map_get(&ix->labels_map, label) : NO_NODE;
    if (n == NO_NODE) {
        pthread_rwlock_unlock(&ix->rwlock);
        return status != CHNSW_OK ? status : CHNSW_ERR_UNKNOWN_LABEL;
    }
    chnsw_tombstone_node(ix, n);
    chnsw_label_map_erase(&ix->labels_map, label);
    pthread_rwlock_unlock(&ix->rwlock);
    return CHNSW_OK;
}

void chnsw_tombstone_node(chnsw_index *ix, node_id n) {
    /* The node stays in the graph as a waypoint; only the tombstone hides it. */
    ix->removed[n] = 1;
    ix->live_count--;
    chnsw_tenant_map_find(&ix->tenants_map, ix->tenants[n])->live--;
}
