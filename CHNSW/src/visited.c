/*
 * visited.c - a pool of per-search scratch (visited tags, heaps, work array).
 *
 * A search marks a node by writing the current 16-bit tag into its slot, so starting
 * a new search only bumps the tag instead of clearing the array (which happens once
 * every 65535 searches). Scratch is recycled through a mutex-guarded free stack, so
 * concurrent searches each get their own and the steady state allocates nothing.
 */
#include "heap.h"

#include <string.h>

chnsw_status chnsw_visited_pool_init(visited_pool *pool) {
    pool->free_lists = NULL;
    return pthread_mutex_init(&pool->mutex, NULL) == 0 ? CHNSW_OK : CHNSW_ERR_OUT_OF_MEMORY;
}

static void scratch_free(chnsw_index *ix, visited_list *v) {
    chnsw_ix_free(ix, v->tags);
    heap_release(ix, &v->candidates);
    heap_release(ix, &v->results);
    chnsw_ix_free(ix, v->work);
    chnsw_ix_free(ix, v);
}

void chnsw_visited_pool_destroy(chnsw_index *ix, visited_pool *pool) {
    visited_list *v = pool->free_lists;
    while (v) {
        visited_list *next = v->next;
        scratch_free(ix, v);
        v = next;
    }
    pool->free_lists = NULL;
    pthread_mutex_destroy(&pool->mutex);
}

visited_list *chnsw_visited_acquire(chnsw_index *ix, size_t results, size_t work) {
    pthread_mutex_lock(&ix->visited.mutex);
    visited_list *v = ix->visited.free_lists;
    if (v) ix->visited.free_lists = v->next;
    pthread_mutex_unlock(&ix->visited.mutex);

    if (!v) {
        v = chnsw_ix_calloc(ix, 1, sizeof(visited_list));
        if (!v) return NULL;
    }
    /* The index may have grown since this scratch was last used. */
    if (v->capacity < ix->capacity) {
        uint16_t *tags = chnsw_ix_realloc(ix, v->tags, ix->capacity * sizeof(uint16_t));
        if (!tags) goto fail;
        memset(tags, 0, ix->capacity * sizeof(uint16_t));
        v->tags = tags;
        v->capacity = ix->capacity;
        v->current = 0;
    }
    /* Both heaps get room for the beam up front; only the candidate heap may grow later. */
    if (!heap_reserve(ix, &v->results, results + 1)) goto fail;
    if (!heap_reserve(ix, &v->candidates, results + 1)) goto fail;
    if (v->work_capacity < work) {
        scored *grown = chnsw_ix_realloc(ix, v->work, work * sizeof(scored));
        if (!grown) goto fail;
        v->work = grown;
        v->work_capacity = work;
    }
    visited_next_tag(v);
    v->candidates.size = 0;
    v->results.size = 0;
    return v;
fail:
    chnsw_visited_release(ix, v);
    return NULL;
}

void chnsw_visited_release(chnsw_index *ix, visited_list *v) {
    pthread_mutex_lock(&ix->visited.mutex);
    v->next = ix->visited.free_lists;
    ix->visited.free_lists = v;
    pthread_mutex_unlock(&ix->visited.mutex);
}
