/*
 * harness.h - a minimal test harness for the engine's C tests: CHECK macros that
 * report file:line and keep going, a seeded generator, and brute-force helpers.
 */
#ifndef CHNSW_TEST_HARNESS_H
#define CHNSW_TEST_HARNESS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "chnsw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int harness_failures = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            harness_failures++;                                                      \
        }                                                                            \
    } while (0)

#define CHECK_STATUS(expr, expected)                                                          \
    do {                                                                                      \
        chnsw_status got_ = (expr);                                                           \
        if (got_ != (expected)) {                                                             \
            fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", __FILE__, __LINE__, #expr, \
                    chnsw_status_name(got_), chnsw_status_name(expected));                    \
            harness_failures++;                                                               \
        }                                                                                     \
    } while (0)

#define RUN(test)                                  \
    do {                                           \
        fprintf(stderr, "  %s\n", #test);          \
        test();                                    \
    } while (0)

static inline int harness_finish(const char *name) {
    if (harness_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, harness_failures);
        return 1;
    }
    fprintf(stderr, "%s: all checks passed\n", name);
    return 0;
}

/* xorshift64*: deterministic across platforms. */
typedef struct rng {
    uint64_t s;
} rng;

static inline uint64_t rng_next(rng *r) {
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 2685821657736338717ULL;
}

static inline float rng_uniform(rng *r) { /* [0, 1) */
    return (float)((rng_next(r) >> 40) * (1.0 / 16777216.0));
}

static inline float rng_gauss(rng *r) {
    float u = rng_uniform(r) + 1e-7f, v = rng_uniform(r);
    return sqrtf(-2.0f * logf(u)) * cosf(6.2831853f * v);
}

/* n unit vectors around `clusters` random centres (clusters = 0: isotropic). */
static inline float *make_vectors(rng *r, size_t n, uint32_t dim, uint32_t clusters) {
    float *centres = clusters ? malloc(sizeof(float) * clusters * dim) : NULL;
    for (size_t i = 0; i < (size_t)clusters * dim; i++) centres[i] = rng_gauss(r);
    float *v = malloc(sizeof(float) * n * dim);
    for (size_t i = 0; i < n; i++) {
        const float *c = clusters ? centres + (rng_next(r) % clusters) * dim : NULL;
        double norm = 0;
        for (uint32_t d = 0; d < dim; d++) {
            float x = (c ? c[d] : 0) + (c ? 0.6f : 1.0f) * rng_gauss(r);
            v[i * dim + d] = x;
            norm += (double)x * x;
        }
        for (uint32_t d = 0; d < dim; d++) v[i * dim + d] /= (float)sqrt(norm);
    }
    free(centres);
    return v;
}

static inline float ref_distance(chnsw_metric metric, const float *a, const float *b, uint32_t dim) {
    double s = 0, na = 0, nb = 0;
    for (uint32_t i = 0; i < dim; i++) {
        if (metric == CHNSW_METRIC_L2) {
            double d = (double)a[i] - b[i];
            s += d * d;
        } else {
            s += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
    }
    if (metric == CHNSW_METRIC_L2) return (float)s;
    if (metric == CHNSW_METRIC_COSINE) return (float)(1.0 - s / sqrt(na * nb));
    return (float)(1.0 - s);
}

/* Brute-force top-k labels (rows are labels 0..n-1), restricted to rows where keep[row] (NULL = all). */
static inline size_t brute_force(chnsw_metric metric, const float *base, size_t n, uint32_t dim, const float *q,
                                 size_t k, const unsigned char *keep, uint64_t *out) {
    float *best = malloc(sizeof(float) * k);
    size_t got = 0;
    for (size_t i = 0; i < n; i++) {
        if (keep && !keep[i]) continue;
        float d = ref_distance(metric, base + i * dim, q, dim);
        size_t pos = got < k ? got : k;
        if (pos == k && d >= best[k - 1]) continue;
        while (pos > 0 && best[pos - 1] > d) {
            if (pos < k) {
                best[pos] = best[pos - 1];
                out[pos] = out[pos - 1];
            }
            pos--;
        }
        best[pos] = d;
        out[pos] = i;
        if (got < k) got++;
    }
    free(best);
    return got;
}

static inline size_t overlap(const uint64_t *a, size_t na, const uint64_t *b, size_t nb) {
    size_t hits = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            if (a[i] == b[j]) {
                hits++;
                break;
            }
    return hits;
}

/* recall@10 of ix's searches at `ef` for nq queries, against brute force over base (labels = rows). */
static inline double harness_recall(chnsw_index *ix, chnsw_metric metric, const float *base, size_t n, uint32_t dim,
                                    const float *queries, size_t nq, uint32_t ef) {
    chnsw_search_params p;
    chnsw_search_params_init(&p);
    p.k = 10;
    p.ef = ef;
    size_t hits = 0;
    for (size_t q = 0; q < nq; q++) {
        uint64_t got[10], truth[10];
        uint32_t count = 0;
        CHECK_STATUS(chnsw_search(ix, queries + q * dim, dim, &p, got, NULL, &count, NULL), CHNSW_OK);
        CHECK(count == 10);
        size_t t = brute_force(metric, base, n, dim, queries + q * dim, 10, NULL, truth);
        hits += overlap(got, count, truth, t);
    }
    return (double)hits / (double)(nq * 10);
}

/* An index of base's n rows, labelled 0..n-1, built on `threads` threads. */
static inline chnsw_index *harness_build(chnsw_metric metric, chnsw_kernel kernel, const float *base, size_t n,
                                         uint32_t dim, uint32_t threads) {
    chnsw_config c;
    chnsw_config_init(&c, dim, metric);
    c.kernel = kernel;
    chnsw_index *ix = NULL;
    CHECK_STATUS(chnsw_create(&c, &ix), CHNSW_OK);
    uint64_t *labels = malloc(n * sizeof(uint64_t));
    for (size_t i = 0; i < n; i++) labels[i] = i;
    CHECK_STATUS(chnsw_add_batch(ix, n, labels, NULL, base, dim, threads, NULL), CHNSW_OK);
    free(labels);
    return ix;
}

#endif
