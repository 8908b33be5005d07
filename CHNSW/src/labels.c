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
