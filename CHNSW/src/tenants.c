/*
 * tenants.c - per-tenant node lists. Each tenant keeps the ascending ids of its
 * nodes; batch inserts assign ids grouped by tenant, so a tenant's list is mostly
 * long runs of consecutive ids, i.e. contiguous vectors that BLAS can scan.
 */
#include "internal.h"

#include <string.h>

#define EMPTY_SLOT UINT32_MAX

static inline size_t hash_tenant(uint32_t t) {
    return (size_t)((t * 0x9E3779B1u) ^ (t >> 16));
}

chnsw_status chnsw_tenant_map_init(chnsw_index *ix, tenant_map *map) {
    memset(map, 0, sizeof(*map));
    map->capacity = 16;
    map->keys = chnsw_ix_alloc(ix, map->capacity * sizeof(uint32_t));
    map->slots = chnsw_ix_alloc(ix, map->capacity * sizeof(uint32_t));
    if (!map->keys || !map->slots) {
        chnsw_tenant_map_destroy(ix, map);
        return CHNSW_ERR_OUT_OF_MEMORY;
    }
    memset(map->slots, 0xff, map->capacity * sizeof(uint32_t));
    return CHNSW_OK;
}

void chnsw_tenant_map_destroy(chnsw_index *ix, tenant_map *map) {
    for (size_t i = 0; i < map->entry_count; i++) chnsw_ix_free(ix, map->entries[i].nodes);
    chnsw_ix_free(ix, map->entries);
    chnsw_ix_free(ix, map->keys);
    chnsw_ix_free(ix, map->slots);
    memset(map, 0, sizeof(*map));
}

static size_t probe(const tenant_map *map, uint32_t tenant) {
    size_t mask = map->capacity - 1;
    size_t i = hash_tenant(tenant) & mask;
    while (map->slots[i] != EMPTY_SLOT && map->keys[i] != tenant) i = (i + 1) & mask;
    return i;
}

tenant_entry *chnsw_tenant_map_find(const tenant_map *map, uint32_t tenant) {
    size_t i = probe(map, tenant);
    return map->slots[i] == EMPTY_SLOT ? NULL : &map->entries[map->slots[i]];
}

static chnsw_status rehash(chnsw_index *ix, tenant_map *map, size_t capacity) {
    uint32_t *keys = chnsw_ix_alloc(ix, capacity * sizeof(uint32_t));
    uint32_t *slots = chnsw_ix_alloc(ix, capacity * sizeof(uint32_t));
    if (!keys || !slots) {
        chnsw_ix_free(ix, keys);
        chnsw_ix_free(ix, slots);
        return CHNSW_ERR_OUT_OF_MEMORY;
    }
    memset(slots, 0xff, capacity * sizeof(uint32_t));
    chnsw_ix_free(ix, map->keys);
    chnsw_ix_free(ix, map->slots);
    map->keys = keys;
    map->slots = slots;
    map->capacity = capacity;
    for (size_t e = 0; e < map->entry_count; e++) {
        size_t i = probe(map, map->entries[e].tenant);
        map->keys[i] = map->entries[e].tenant;
        map->slots[i] = (uint32_t)e;
    }
    return CHNSW_OK;
}

/*
 * Makes room for appending n nodes of the given tenants (NULL = all tenant 0) without any
 * further allocation, so a batch either fails here, untouched, or is inserted whole.
 */
static void undo_provisional(tenant_map *map, const uint32_t *tenants, size_t rows) {
    for (size_t r = 0; r < rows; r++) chnsw_tenant_map_find(map, tenants ? tenants[r] : 0)->count--;
}

chnsw_status chnsw_tenant_map_reserve(chnsw_index *ix, tenant_map *map, const uint32_t *tenants, size_t n) {
    chnsw_status status = CHNSW_OK;
    size_t r = 0;
    for (; r < n; r++) {
        uint32_t t = tenants ? tenants[r] : 0;
        tenant_entry *e = chnsw_tenant_map_find(map, t);
        if (!e) {
            if ((map->entry_count + 1) * 2 > map->capacity) {
                status = rehash(ix, map, map->capacity * 2);
                if (status != CHNSW_OK) break;
            }
            if (map->entry_count == map->entry_capacity) {
                size_t cap = map->entry_capacity ? map->entry_capacity * 2 : 16;
                tenant_entry *grown = chnsw_ix_realloc(ix, map->entries, cap * sizeof(tenant_entry));
                if (!grown) {
                    status = CHNSW_ERR_OUT_OF_MEMORY;
                    break;
                }
                map->entries = grown;
                map->entry_capacity = cap;
            }
            size_t i = probe(map, t);
            map->keys[i] = t;
            map->slots[i] = (uint32_t)map->entry_count;
            e = &map->entries[map->entry_count++];
            memset(e, 0, sizeof(*e));
            e->tenant = t;
        }
        /* `count` is bumped provisionally so later rows of the same tenant size the array. */
        size_t needed = (size_t)e->count + 1;
        if (needed > e->capacity) {
            size_t cap = e->capacity ? (size_t)e->capacity * 2 : 8;
            while (cap < needed) cap *= 2;
            if (cap > UINT32_MAX) {
                status = CHNSW_ERR_CAPACITY_EXCEEDED;
                break;
            }
            node_id *grown = chnsw_ix_realloc(ix, e->nodes, cap * sizeof(node_id));
            if (!grown) {
                status = CHNSW_ERR_OUT_OF_MEMORY;
                break;
            }
            e->nodes = grown;
            e->capacity = (uint32_t)cap;
        }
        e->count++;
    }
    /* The reserve pass only sizes the arrays; chnsw_tenant_map_append does the real counting. */
    undo_provisional(map, tenants, r);
    return status;
}

void chnsw_tenant_map_append(tenant_map *map, uint32_t tenant, node_id node) {
    tenant_entry *e = chnsw_tenant_map_find(map, tenant);
    e->nodes[e->count++] = node;
    e->live++;
}

uint64_t chnsw_tenant_map_live_tenants(const tenant_map *map) {
    uint64_t n = 0;
    for (size_t i = 0; i < map->entry_count; i++) n += map->entries[i].live > 0;
    return n;
}
