/*
 * bench_time.h - what the engine micro-benchmarks share for timing: a monotonic clock in
 * microseconds, the process's CPU time, and a comparator to sort latencies for percentiles.
 */
#ifndef PIKA_BENCH_TIME_H
#define PIKA_BENCH_TIME_H

#include <time.h>

static inline double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* CPU time (user + system) of this process, in seconds: the steadier figure on a shared machine. */
static inline double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* qsort comparator for doubles, ascending. */
static inline int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#endif
