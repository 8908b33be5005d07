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
#include <string.h>

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

/*
 * The order of both heaps: by distance, ties broken by node id for determinism. As one 64-bit
 * key (the distance's bits made to sort as integers, then the node) it is a single compare with
 * no branch of its own, so a heap's sift loops pick a child with a conditional move; a float
 * compare and its tie test were two data-dependent branches per level, mispredicted about half
 * the time (9 % of a one-thread build's samples sat on them). The key orders distances as the
 * float compare does, except that -0 sorts below +0 (the float compare calls them equal) and a
 * NaN (only from a loaded file's non-finite vector) above +infinity instead of nowhere.
 */
static inline uint64_t scored_key(scored s) {
    uint32_t bits;
    memcpy(&bits, &s.distance, sizeof bits);
    bits ^= (uint32_t)((int32_t)bits >> 31) | 0x80000000u; /* negatives: all bits flipped; else the sign bit */
    return (uint64_t)bits << 32 | s.node;
}

/* `greater` orders a max-heap, `less` a min-heap. */
static inline bool scored_greater(scored a, scored b) { return scored_key(a) > scored_key(b); }

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

/*
 * Removing the root the bottom-up way (Floyd's): the hole goes down to a leaf along the child
 * that must move up (`less`: the smaller one), then `item` rises from there. Per level one
 * compare and no exit test, where the plain sift-down asks at every level whether `item` may
 * stop, a branch the CPU cannot predict; a replacement item lands near the bottom anyway.
 */
static inline void heap_refill_root(heap *h, scored item, bool less) {
    size_t i = 0, n = h->size;
    for (size_t child = 1; child < n; child = 2 * i + 1) {
        if (child + 1 < n) child += scored_greater(h->items[child], h->items[child + 1]) == less;
        h->items[i] = h->items[child];
        i = child;
    }
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (scored_greater(h->items[parent], item) != less) break;
        h->items[i] = h->items[parent];
        i = parent;
    }
    h->items[i] = item;
}

/* Puts `item` at the root of a non-empty max-heap in place of the root. */
static inline void max_heap_replace_top(heap *h, scored item) { heap_refill_root(h, item, false); }

static inline void max_heap_pop(heap *h) {
    scored last = h->items[--h->size];
    if (h->size) max_heap_replace_top(h, last);
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
    if (h->size) heap_refill_root(h, last, true);
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
    max_heap_replace_top(h, item); /* one sift instead of a pop's and a push's */
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
