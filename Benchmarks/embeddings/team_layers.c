/* The products of one all-MiniLM-L6-v2 query (6 layers x 4 fp32 products, 42.5 MB of weights in
 * one block on 2 MiB pages, as the encoder's WeightArena holds them) for M token rows: alone
 * (chnsw_f32_gemm) against split by a team (chnsw_f32_gemm_team, the caller and one worker),
 * alternating pass by pass. Wall-clock p50/p95, and the caller's and the worker's CPU per pass (means;
 * the worker's includes its polling after the pass, which falls in the next, unsplit, pass). GAP_US=N idles N
 * microseconds before each pass, as a server does between requests (the team's worker falls
 * asleep after SPIN_US, default 50, and is woken at the start of the pass, as the encoder does).
 * STEP_US=N busies the caller N microseconds before each product, as attention, layer norm and GELU
 * do in the encoder (the worker polls meanwhile).
 *
 *   clang -O2 -ICHNSW/include -ICHNSW/src -o /tmp/team_layers Benchmarks/embeddings/team_layers.c \
 *     CHNSW/src/embed_gemm_f32.c CHNSW/src/embed_gemm_f32q.c CHNSW/src/embed_gemm_s8.c \
 *     CHNSW/src/embed_kernels.c CHNSW/src/embed_team.c -lpthread
 *   flock /work/shared-notes/bench.lock env GAP_US=3000 /tmp/team_layers 15
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <stdint.h>

#include "bench_clock.h"
#include "chnsw_embed.h"

enum { PASSES = 300, MATRICES = 4, LAYERS = 6 };
static const size_t outs[MATRICES] = {1152, 384, 1536, 384}, ins[MATRICES] = {384, 384, 384, 1536};
static float *panels[LAYERS * MATRICES], *bias[LAYERS * MATRICES];

static double wall_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* CPU seconds the team's worker thread has run: its thread CPU clock, made from its thread id as
 * the kernel encodes per-thread clocks (what pthread_getcpuclockid returns); exact even while the
 * worker runs, unlike /proc/.../schedstat. */
static long worker_id;
static int step_us;
static double worker_cpu_seconds(void) {
    struct timespec t;
    clockid_t clock = (clockid_t)((~(unsigned long)worker_id << 3) | 6);
    if (clock_gettime(clock, &t) != 0) return 0;
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* One pass; returns wall seconds and adds the calling thread's CPU seconds to *cpu and the worker's
 * to *worker (getrusage's process total lags for a thread running on another CPU). */
static double pass(chnsw_embed_team *team, int m, const float *x, float *y, int gap, double *cpu, double *worker) {
    if (gap) usleep((useconds_t)gap);
    double w0 = worker_cpu_seconds(), cpu0 = cpu_seconds(), start = wall_seconds();
    chnsw_embed_team_wake(team);
    for (int l = 0; l < LAYERS * MATRICES; l++) {
        size_t n = outs[l % MATRICES], k = ins[l % MATRICES];
        /* STEP_US: the caller's work between products (attention, layer norm, GELU), busy. */
        for (double until = wall_seconds() + step_us * 1e-6; step_us && wall_seconds() < until;) {
        }
        if (team)
            chnsw_f32_gemm_team(team, CHNSW_EMBED_KERNEL_AUTO, (size_t)m, n, k, x, k, panels[l], bias[l], 0, y, n);
        else
            chnsw_f32_gemm(CHNSW_EMBED_KERNEL_AUTO, (size_t)m, n, k, x, k, panels[l], bias[l], 0, y, n);
    }
    double elapsed = wall_seconds() - start;
    *cpu += cpu_seconds() - cpu0;
    *worker += worker_cpu_seconds() - w0;
    return elapsed;
}

int main(int argc, char **argv) {
    int m = argc > 1 ? atoi(argv[1]) : 15, gap = getenv("GAP_US") ? atoi(getenv("GAP_US")) : 0;
    unsigned spin = getenv("SPIN_US") ? (unsigned)atoi(getenv("SPIN_US")) : 50;
    step_us = getenv("STEP_US") ? atoi(getenv("STEP_US")) : 0;
    if (m < 1 || m > 512) return 2;
    size_t total = 0;
    for (int l = 0; l < LAYERS * MATRICES; l++)
        total += (chnsw_f32_packed_count(outs[l % MATRICES], ins[l % MATRICES]) * sizeof(float) + 63) / 64 * 64;
    size_t huge = 2u << 20, bytes = (total + huge - 1) / huge * huge;
    char *arena = aligned_alloc(huge, bytes);
    madvise(arena, bytes, MADV_HUGEPAGE);
    double flop = 0;
    for (int l = 0, used = 0; l < LAYERS * MATRICES; l++) {
        size_t n = outs[l % MATRICES], k = ins[l % MATRICES];
        float *w = malloc(n * k * sizeof(float));
        for (size_t i = 0; i < n * k; i++) w[i] = (float)(rand() % 2000 - 1000) * 1e-4f;
        panels[l] = (float *)(arena + used);
        used += (int)((chnsw_f32_packed_count(n, k) * sizeof(float) + 63) / 64 * 64);
        bias[l] = calloc(n, sizeof(float));
        if (chnsw_f32_pack(w, n, k, panels[l]) != CHNSW_OK) return 1;
        free(w);
        flop += 2.0 * m * (double)n * (double)k;
    }
    chnsw_embed_team *team = chnsw_embed_team_create(spin);
    if (!team) {
        fprintf(stderr, "team_layers: fewer than two CPUs\n");
        return 1;
    }
    float *x = malloc((size_t)m * 1536 * sizeof(float)), *y = malloc((size_t)m * 1536 * sizeof(float));
    for (int i = 0; i < m * 1536; i++) x[i] = (float)(rand() % 1000 - 500) * 1e-3f;
    worker_id = chnsw_embed_team_worker_id(team);
    double alone[PASSES], split[PASSES], alone_cpu = 0, split_cpu = 0, alone_worker = 0, split_worker = 0;
    for (int p = 0; p < 20; p++)
        pass(team, m, x, y, gap, &split_cpu, &split_worker), pass(NULL, m, x, y, gap, &alone_cpu, &alone_worker);
    alone_cpu = split_cpu = alone_worker = split_worker = 0;
    uint64_t chunks = chnsw_embed_team_worker_chunks(team);
    for (int p = 0; p < PASSES; p++) {
        alone[p] = pass(NULL, m, x, y, gap, &alone_cpu, &alone_worker);
        split[p] = pass(team, m, x, y, gap, &split_cpu, &split_worker);
    }
    chunks = chnsw_embed_team_worker_chunks(team) - chunks;
    qsort(alone, PASSES, sizeof(double), ascending);
    qsort(split, PASSES, sizeof(double), ascending);
    double load[1] = {0};
    getloadavg(load, 1);
    printf("{\"rows\":%d,\"gap_us\":%d,\"step_us\":%d,\"spin_us\":%u,\"mflop\":%.1f,\"alone_p50_ms\":%.3f,\"alone_p95_ms\":%.3f,"
           "\"alone_caller_cpu_ms\":%.3f,\"split_p50_ms\":%.3f,\"split_p95_ms\":%.3f,\"split_caller_cpu_ms\":%.3f,"
           "\"worker_cpu_ms\":%.3f,\"worker_cpu_during_alone_ms\":%.3f,\"worker_chunks_per_pass\":%.1f,\"load\":%.2f}\n",
           m, gap, step_us, spin, flop / 1e6, alone[PASSES / 2] * 1e3, alone[PASSES * 95 / 100] * 1e3, alone_cpu / PASSES * 1e3,
           split[PASSES / 2] * 1e3, split[PASSES * 95 / 100] * 1e3, split_cpu / PASSES * 1e3,
           split_worker / PASSES * 1e3, alone_worker / PASSES * 1e3, (double)chunks / PASSES, load[0]);
    chnsw_embed_team_destroy(team);
    return 0;
}
