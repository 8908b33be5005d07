/*
 * test_heap.c - the walk's heaps (heap.h): whatever the sequence of pushes, pops and bounded
 * offers, a min-heap pops and a bounded max-heap keeps exactly what a sort by (distance, node)
 * says, with negative distances, infinities and equal distances (ties go to the lower node id);
 * and the visited tags mark each node once per walk.
 */
#include "harness.h"
#include "../src/heap.h"

static int by_distance_then_node(const void *a, const void *b) {
    const scored *x = a, *y = b;
    if (x->distance != y->distance) return x->distance < y->distance ? -1 : 1;
    return x->node < y->node ? -1 : (x->node > y->node);
}

/* n distinct nodes whose distances repeat (ties), go negative and include both infinities. */
static void make_items(rng *r, scored *items, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float d = (float)(rng_next(r) % 41) * 0.25f - 5.0f; /* 41 values in [-5, 5]: many ties */
        if (rng_next(r) % 50 == 0) d = (rng_next(r) & 1) ? INFINITY : -INFINITY;
        items[i] = (scored){d, (node_id)(rng_next(r) % 1000000u) * 1000u + (node_id)i}; /* distinct */
    }
}

/* Pushes everything into a min-heap, popping now and then; the pops come out in sorted order
 * of what was in the heap, and the final drain gives the rest in order. */
static void test_min_heap_pops_in_order(void) {
    rng r = {41};
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + rng_next(&r) % 300;
        scored *items = malloc(n * sizeof(scored)), *live = malloc(n * sizeof(scored));
        heap h = {malloc(n * sizeof(scored)), 0, n};
        make_items(&r, items, n);
        size_t live_n = 0;
        for (size_t i = 0; i < n; i++) {
            min_heap_push(&h, items[i]);
            live[live_n++] = items[i];
            while (h.size && rng_next(&r) % 3 == 0) {
                qsort(live, live_n, sizeof(scored), by_distance_then_node);
                CHECK(h.items[0].node == live[0].node);
                memmove(live, live + 1, --live_n * sizeof(scored));
                min_heap_pop(&h);
            }
        }
        qsort(live, live_n, sizeof(scored), by_distance_then_node);
        CHECK(h.size == live_n);
        for (size_t i = 0; i < live_n && h.size; i++) {
            CHECK(h.items[0].node == live[i].node && h.items[0].distance == live[i].distance);
            min_heap_pop(&h);
        }
        free(items);
        free(live);
        free(h.items);
    }
}

/* A bounded max-heap fed by top_offer keeps the `limit` smallest, and drains them sorted. */
static void test_bounded_max_heap_keeps_the_smallest(void) {
    rng r = {42};
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + rng_next(&r) % 400, limit = 1 + rng_next(&r) % 64;
        scored *items = malloc(n * sizeof(scored)), *out = malloc(n * sizeof(scored));
        heap h = {malloc((limit + 1) * sizeof(scored)), 0, limit + 1};
        make_items(&r, items, n);
        for (size_t i = 0; i < n; i++) {
            bool kept = top_offer(&h, limit, items[i]);
            CHECK(h.size == (i + 1 < limit ? i + 1 : limit));
            /* Kept exactly when it is among the `limit` smallest of those offered so far. */
            size_t smaller = 0;
            for (size_t j = 0; j <= i; j++) smaller += by_distance_then_node(&items[j], &items[i]) < 0;
            CHECK(kept == (smaller < limit));
        }
        size_t got = max_heap_drain_sorted(&h, out);
        qsort(items, n, sizeof(scored), by_distance_then_node);
        CHECK(got == (n < limit ? n : limit));
        for (size_t i = 0; i < got; i++) CHECK(out[i].node == items[i].node && out[i].distance == items[i].distance);
        CHECK(h.size == 0);
        free(items);
        free(out);
        free(h.items);
    }
}

/* Each node is reported unvisited once per walk, visited after; a new tag starts afresh. */
static void test_visited_tags(void) {
    enum { N = 1000 };
    uint16_t tags[N] = {0};
    visited_list v = {.tags = tags, .capacity = N, .current = 0};
    for (int walk = 0; walk < 3; walk++) {
        visited_next_tag(&v);
        size_t fresh = 0;
        for (node_id n = 0; n < N; n += 3) fresh += !visited_test_and_set(&v, n);
        for (node_id n = 0; n < N; n++) fresh += !visited_test_and_set(&v, n);
        CHECK(fresh == N); /* the multiples of 3 the first time, the others the second */
    }
    v.current = UINT16_MAX; /* the tag wraps: the array is cleared, nothing is left marked */
    visited_next_tag(&v);
    CHECK(v.current == 1);
    CHECK(!visited_test_and_set(&v, 0) && visited_test_and_set(&v, 0));
}

int main(void) {
    RUN(test_min_heap_pops_in_order);
    RUN(test_bounded_max_heap_keeps_the_smallest);
    RUN(test_visited_tags);
    return harness_finish("test_heap");
}
