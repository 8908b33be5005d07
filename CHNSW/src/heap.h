/*
 * heap.h - binary heaps of (distance, node) pairs for the graph and scan searches.
 *
 * A max-heap keeps the current best results with the worst on top, so the beam can
 * drop it in O(log n); a min-heap keeps the candidates still to expand, closest on
 * top. Both live in caller-owned, growable arrays reused across searches.
 */
#ifndef CHNSW_HEAP_H
#define CHNSW_HEAP_H

#include "internal.h"

#include <stdlib.h>

/* Grows the array so that `needed` items fit. Returns false when out of memory. */
static inline bool heap_reserve(const chnsw_index *ix, heap *h, size_t needed) {
    if (needed <= h->capacity) return true;
    size_t capacity = h->capacity ? h->capacity : 64;
    while (capacity < needed) capacity *= 2;
    scored *items = chnsw_ix_realloc(ix, h->items, capacity * sizeof(scored));
    if (!items) return false;
    h->items = items;
    h->capacity = capacity;
    return true;
}

static inline void heap_release(const chnsw_index *ix, heap *h) {
    chnsw_ix_free(ix, h->items);
    h->items = NULL;
    h->size = h->capacity = 0;
}

/* `greater` orders a max-heap, `less` a min-heap; ties broken by node id for determinism. */
static inline bool scored_greater(scored a, scored b) {
    return a.distance > b.distance || (a.distance == b.distance && a.node > b.node);
}

static inline void max_heap_push(heap *h, scored item) { /* capacity reserved by caller */
    size_t i = h->size++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!scored_greater(item, h->items[parent])) break;
        h->items[i] = h->items[parent];
        i = parent;
    }
    h->items[i] = item;
}

static inline void max_heap_pop(heap *h) {
    scored last = h->items[--h->size];
    size_t i = 0, n = h->size;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && scored_greater(h->items[child + 1], h->items[child])) child++;
        if (!scored_greater(h->items[child], last)) break;
        h->items[i] = h->items[child];
        i = child;
    }
    if (n) h->items[i] = last;
}

static inline void min_heap_push(heap *h, scored item) {
    size_t i = h->size++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!scored_greater(h->items[parent], item)) break;
        h->items[i] = h->items[parent];
        i = parent;
    }
    h->items[i] = item;
}

static inline void min_heap_pop(heap *h) {
    scored last = h->items[--h->size];
    size_t i = 0, n = h->size;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && scored_greater(h->items[child], h->items[child + 1])) child++;
        if (!scored_greater(last, h->items[child])) break;
        h->items[i] = h->items[child];
        i = child;
    }
    if (n) h->items[i] = last;
}

/*
 * Offers an item to a bounded max-heap of at most `limit` items (capacity reserved).
 * Returns true if it was kept.
 */
static inline bool top_offer(heap *h, size_t limit, scored item) {
    if (h->size < limit) {
        max_heap_push(h, item);
        return true;
    }
    if (!scored_greater(h->items[0], item)) return false;
    max_heap_pop(h);
    max_heap_push(h, item);
    return true;
}

/*
 * Sorts items ascending by (distance, node), the order of scored_greater, so the result is
 * the one any correct sort gives. Insertion sort: the arrays sorted while linking are short
 * (a neighbour's links plus one) or nearly sorted already (the walk's kept nodes, in code
 * order, rescored in f32), where it does a few moves per item and no calls, unlike qsort.
 * An input far from sorted costs more than `budget` moves; the rest then goes to qsort.
 */
static inline void scored_sort(scored *items, size_t n, int (*fallback)(const void *, const void *)) {
    size_t budget = 8 * n + 64;
    for (size_t i = 1; i < n; i++) {
        scored x = items[i];
        size_t j = i;
        for (; j > 0 && scored_greater(items[j - 1], x); j--) items[j] = items[j - 1];
        items[j] = x;
        size_t moved = i - j;
        if (moved > budget) {
            qsort(items, n, sizeof(scored), fallback);
            return;
        }
        budget -= moved;
    }
}

/* Empties a max-heap into out[] best first; returns how many. */
static inline size_t max_heap_drain_sorted(heap *h, scored *out) {
    size_t n = h->size;
    for (size_t i = n; i > 0; i--) {
        out[i - 1] = h->items[0];
        max_heap_pop(h);
    }
    return n;
}

#endif /* CHNSW_HEAP_H */
