/*
 * labels.c - the label -> node map: open addressing, linear probing, backward-shift
 * deletion (no tombstones in the map itself, so probe chains stay short).
 */
#include "internal.h"

#include <string.h>

static inline size_t hash_label(uint64_t key) {
    /* splitmix64 finaliser: labels are often sequential, so mix them well. */
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9ULL;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebULL;
    key ^= key >> 31;
    return (size_t)key;
}

chnsw_status chnsw_label_map_init(chnsw_index *ix, label_map *map, size_t capacity) {
    size_t cap = 16;
    while (cap < capacity) cap *= 2;
    map->keys = chnsw_ix_alloc(ix, cap * sizeof(uint64_t));
    map->values = chnsw_ix_alloc(ix, cap * sizeof(node_id));
    if (!map->keys || !map->values) {
        chnsw_ix_free(ix, map->keys);
        chnsw_ix_free(ix, map->values);
        map->keys = NULL;
        map->values = NULL;
        return CHNSW_ERR_OUT_OF_MEMORY;
    }
    memset(map->values, 0xff, cap * sizeof(node_id));
    map->capacity = cap;
    map->size = 0;
    return CHNSW_OK;
}

void chnsw_label_map_destroy(chnsw_index *ix, label_map *map) {
    chnsw_ix_free(ix, map->keys);
    chnsw_ix_free(ix, map->values);
    memset(map, 0, sizeof(*map));
}

node_id chnsw_label_map_get(const label_map *map, uint64_t key) {
    size_t mask = map->capacity - 1;
    for (size_t i = hash_label(key) & mask;; i = (i + 1) & mask) {
        if (map->values[i] == NO_NODE) return NO_NODE;
        if (map->keys[i] == key) return map->values[i];
    }
}

void chnsw_label_map_prefetch(const label_map *map, uint64_t key) {
    size_t i = hash_label(key) & (map->capacity - 1);
    __builtin_prefetch(&map->keys[i]);
    __builtin_prefetch(&map->values[i]);
}

void chnsw_label_map_put(label_map *map, uint64_t key, node_id value) {
    size_t mask = map->capacity - 1;
    for (size_t i = hash_label(key) & mask;; i = (i + 1) & mask) {
        if (map->values[i] == NO_NODE) {
            map->keys[i] = key;
            map->values[i] = value;
            map->size++;
            return;
        }
        if (map->keys[i] == key) {
            map->values[i] = value;
            return;
        }
    }
}

chnsw_status chnsw_label_map_reserve(chnsw_index *ix, label_map *map, size_t size) {
    /* Keep the load factor at or below 1/2. */
    if (size * 2 <= map->capacity) return CHNSW_OK;
    label_map grown;
    chnsw_status status = chnsw_label_map_init(ix, &grown, size * 2);
    if (status != CHNSW_OK) return status;
    for (size_t i = 0; i < map->capacity; i++)
        if (map->values[i] != NO_NODE) chnsw_label_map_put(&grown, map->keys[i], map->values[i]);
    chnsw_label_map_destroy(ix, map);
    *map = grown;
    return CHNSW_OK;
}

void chnsw_label_map_erase(label_map *map, uint64_t key) {
    size_t mask = map->capacity - 1;
    size_t i = hash_label(key) & mask;
    for (;; i = (i + 1) & mask) {
        if (map->values[i] == NO_NODE) return;
        if (map->keys[i] == key) break;
    }
    map->values[i] = NO_NODE;
    map->size--;
    /* Shift later members of the probe chain back so lookups never stop early. */
    for (size_t j = (i + 1) & mask; map->values[j] != NO_NODE; j = (j + 1) & mask) {
        size_t home = hash_label(map->keys[j]) & mask;
        bool movable = (i <= j) ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            map->keys[i] = map->keys[j];
            map->values[i] = map->values[j];
            map->values[j] = NO_NODE;
            i = j;
        }
    }
}

/* How many nodes ahead the build prefetches a label's map slot (measured on 74k nodes when the
 * build was part of opening: 16 saved the most). */
#define LABEL_PREFETCH 16

/* Puts every live node's label into the (empty) map; CHNSW_ERR_CORRUPT_FILE for a label on two. */
static chnsw_status build_label_map(chnsw_index *ix) {
    chnsw_status status = chnsw_label_map_reserve(ix, &ix->labels_map, ix->live_count);
    if (status != CHNSW_OK) return status;
    size_t n = ix->count;
    for (size_t i = 0; i < n; i++) {
        /* Labels hash to random slots of a map larger than the cache: overlap those misses. */
        if (i + LABEL_PREFETCH < n) chnsw_label_map_prefetch(&ix->labels_map, ix->labels[i + LABEL_PREFETCH]);
        if (ix->removed[i]) continue;
        if (chnsw_label_map_get(&ix->labels_map, ix->labels[i]) != NO_NODE) return CHNSW_ERR_CORRUPT_FILE;
        chnsw_label_map_put(&ix->labels_map, ix->labels[i], (node_id)i);
    }
    return CHNSW_OK;
}

/*
 * An index opened from a file gets its label map here, on the first call that looks a label up
 * (contains, get_vector, remove, add, update, an allow-listed search), not in chnsw_load: a
 * search without an allow-list goes from node to label through ix->labels and never reads the
 * map, and building it at open wrote 3 MB of fresh memory at 74k nodes (a quarter of opening in
 * a new process; docs/benchmarks-archive.md). Two live nodes with one label, which opening used
 * to refuse, make this and every later call that needs the map fail with CHNSW_ERR_CORRUPT_FILE
 * (chnsw_verify_file builds it, so verification still reports them). Called under the index's
 * lock, read or write: writers are excluded, and the mutex lets one of several readers build.
 */
chnsw_status chnsw_labels_ready(chnsw_index *ix) {
    int state = atomic_load_explicit(&ix->labels_state, memory_order_acquire);
    if (state == LABELS_READY) return CHNSW_OK;
    if (state == LABELS_DUPLICATE) return CHNSW_ERR_CORRUPT_FILE;
    pthread_mutex_lock(&ix->labels_mutex);
    chnsw_status status = CHNSW_OK;
    state = atomic_load_explicit(&ix->labels_state, memory_order_relaxed);
    if (state == LABELS_PENDING) {
        /* Out of memory leaves the map as it was (the reserve failed before any put): still pending. */
        status = build_label_map(ix);
        if (status == CHNSW_OK) state = LABELS_READY;
        else if (status == CHNSW_ERR_CORRUPT_FILE) state = LABELS_DUPLICATE;
        atomic_store_explicit(&ix->labels_state, state, memory_order_release);
    } else if (state == LABELS_DUPLICATE) {
        status = CHNSW_ERR_CORRUPT_FILE;
    }
    pthread_mutex_unlock(&ix->labels_mutex);
    return status;
}
