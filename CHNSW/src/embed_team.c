/*
 * embed_team.c - one query's products split between the calling thread and one worker thread.
 *
 * Why: a query's products (a dozen rows) read all of the model's weights once and do little
 * arithmetic per weight, so between a server's requests, when part of the weights has left L3,
 * one core's bandwidth sets their pace. Two cores each stream half of the output columns.
 *
 * How: a product's panels of 16 output columns are claimed in chunks, the caller from the front
 * and the worker from the back of one atomic range, so each streams contiguous
 * weights and a worker that is late (asleep, or its core busy) only takes less: the caller never
 * waits for a worker that has not started, only for the chunk a joined worker is running.
 * Each column is computed by the same kernel with the same summation order whichever thread
 * runs it, so the split product equals the single-thread one bit for bit.
 *
 * The worker polls for work for `spin_us` after its last chunk (the gap between a query's
 * products is a few microseconds), then sleeps on a futex, so an idle service burns no CPU.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "embed_internal.h"

/* state: job generation (high 32 bits), OPEN while the caller still accepts a joiner, and the
 * number of workers inside the job (low bits). */
#define OPEN ((uint64_t)1 << 31)
#define REFS ((uint64_t)0xffff)

/* Computes output columns [col, col + cols) of a job (col a multiple of EMBED_PANEL). */
typedef void (*team_chunk_fn)(const void *job, size_t col, size_t cols);

struct chnsw_embed_team {
    _Atomic uint64_t state;
    /* Unclaimed panels [front, back): front in the low 32 bits, back in the high 32. */
    _Atomic uint64_t range;
    /* Bumped on every published job and on stop; the idle worker sleeps on it. */
    _Atomic uint32_t futex;
    _Atomic int sleeping;
    /* Bumped by the worker each time it leaves a job; a caller whose wait for the worker's last
     * chunk ran long (the worker's core was taken) sleeps on it (`caller_waiting` set). */
    _Atomic uint32_t left;
    _Atomic int caller_waiting;
    /* A caller holds the team (one split product at a time; others run alone). */
    _Atomic int busy;
    _Atomic int stop;
    /* The worker's thread id (Linux tid), set by the worker as it starts. */
    _Atomic long worker_id;
    /* Chunks the worker has run (a statistic for tests and benchmarks). */
    _Atomic uint64_t worker_chunks;
    /* The current job: written only while no worker is inside it (state closed, refs 0). */
    team_chunk_fn run;
    const void *job;
    size_t columns;
    uint32_t generation;
    uint64_t spin_ns;
    pthread_t thread;
#if defined(__linux__)
    /* The CPUs this process may use, and the caller's CPU the worker is kept off (-1: none yet). */
    cpu_set_t allowed;
    int excluded_cpu;
#endif
};

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void futex_wait(_Atomic uint32_t *word, uint32_t expected) {
#if defined(__linux__)
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
#else
    (void)word;
    (void)expected;
    sched_yield();
#endif
}

static void futex_wake(_Atomic uint32_t *word) {
#if defined(__linux__)
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
#else
    (void)word;
#endif
}

/* Claims and runs chunks of the unclaimed panels [front, back) until none is left: from the front
 * (the caller) or the back (the worker). A claim takes a quarter of what is left (an even count,
 * at least 2 panels: the batch tile takes panels in pairs), so the first chunks are long (few
 * claims) and the last ones short (neither thread waits long for the other's last chunk). */
static void run_chunks(struct chnsw_embed_team *team, int from_back) {
    for (;;) {
        uint64_t r = atomic_load_explicit(&team->range, memory_order_relaxed), claimed;
        uint32_t front, back, take;
        do {
            front = (uint32_t)r;
            back = (uint32_t)(r >> 32);
            if (front >= back) return;
            take = (back - front) / 4 & ~1u;
            take = take < 2 ? 2 : take;
            take = take > back - front ? back - front : take;
            claimed = from_back ? ((uint64_t)(back - take) << 32 | front) : ((uint64_t)back << 32 | (front + take));
        } while (!atomic_compare_exchange_weak_explicit(&team->range, &r, claimed, memory_order_relaxed,
                                                        memory_order_relaxed));
        size_t col = (size_t)(from_back ? back - take : front) * EMBED_PANEL, width = (size_t)take * EMBED_PANEL;
        team->run(team->job, col, team->columns - col < width ? team->columns - col : width);
        if (from_back) atomic_fetch_add_explicit(&team->worker_chunks, 1, memory_order_relaxed);
    }
}

/* Whether `s` is a job the worker has not joined yet. */
static inline int joinable(uint64_t s, uint32_t seen) { return (s & OPEN) && (uint32_t)(s >> 32) != seen; }

static void *worker_main(void *argument) {
    struct chnsw_embed_team *team = argument;
#if defined(__linux__)
    atomic_store(&team->worker_id, (long)syscall(SYS_gettid));
#else
    atomic_store(&team->worker_id, 1);
#endif
    uint32_t seen = 0;
    uint64_t idle_since = now_ns();
    for (unsigned polls = 0;; polls++) {
        if (atomic_load_explicit(&team->stop, memory_order_acquire)) break;
        uint64_t s = atomic_load_explicit(&team->state, memory_order_acquire);
        if (joinable(s, seen)) {
            /* Join only while the caller still accepts joiners; it then waits for us to leave. */
            if (!atomic_compare_exchange_strong_explicit(&team->state, &s, s + 1, memory_order_acquire,
                                                         memory_order_relaxed))
                continue;
            seen = (uint32_t)(s >> 32);
            run_chunks(team, 1);
            atomic_fetch_sub(&team->state, 1);
            atomic_fetch_add(&team->left, 1);
            if (atomic_load(&team->caller_waiting)) futex_wake(&team->left);
            idle_since = now_ns();
            polls = 0;
            continue;
        }
        if ((polls & 63) != 63 || now_ns() - idle_since < team->spin_ns) {
            cpu_relax();
            continue;
        }
        /* Sleep. The caller publishes a job (state) and then reads `sleeping`; we set `sleeping` and
         * then read state: with sequential consistency one of us sees the other. */
        uint32_t ticket = atomic_load(&team->futex);
        atomic_store(&team->sleeping, 1);
        if (!atomic_load(&team->stop) && !joinable(atomic_load(&team->state), seen)) futex_wait(&team->futex, ticket);
        atomic_store(&team->sleeping, 0);
        idle_since = now_ns();
        polls = 0;
    }
    return NULL;
}

/* Keeps the worker off the caller's CPU (called by the team's holder). Without this, a worker woken
 * while the other core runs something else was placed on the caller's core by the scheduler and
 * preempted the caller, and the split product took longer than the caller alone. */
static void keep_off_caller(struct chnsw_embed_team *team) {
#if defined(__linux__)
    int cpu = sched_getcpu();
    if (cpu < 0 || cpu == team->excluded_cpu || !CPU_ISSET(cpu, &team->allowed)) return;
    cpu_set_t others = team->allowed;
    CPU_CLR(cpu, &others);
    if (CPU_COUNT(&others) > 0 && pthread_setaffinity_np(team->thread, sizeof others, &others) == 0)
        team->excluded_cpu = cpu;
#else
    (void)team;
#endif
}

static void wake_worker(struct chnsw_embed_team *team) {
    atomic_fetch_add(&team->futex, 1);
    if (atomic_load(&team->sleeping)) futex_wake(&team->futex);
}

chnsw_embed_team *chnsw_embed_team_create(unsigned spin_us) {
    struct chnsw_embed_team *team = calloc(1, sizeof *team);
    if (!team) return NULL;
#if defined(__linux__)
    team->excluded_cpu = -1;
    if (sched_getaffinity(0, sizeof team->allowed, &team->allowed) != 0 || CPU_COUNT(&team->allowed) < 2) {
        free(team);
        return NULL;
    }
#endif
    team->spin_ns = (uint64_t)spin_us * 1000u;
    atomic_init(&team->state, 0);
    /* The worker blocks every signal: the process's handlers stay on the threads that expect them. */
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    int failed = pthread_create(&team->thread, NULL, worker_main, team);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (failed) {
        free(team);
        return NULL;
    }
#if defined(__linux__)
    pthread_setname_np(team->thread, "pika-embed");
#endif
    while (!atomic_load(&team->worker_id)) sched_yield(); /* so that chnsw_embed_team_worker_id answers */
    return team;
}

void chnsw_embed_team_destroy(chnsw_embed_team *team) {
    if (!team) return;
    atomic_store(&team->stop, 1);
    wake_worker(team);
    pthread_join(team->thread, NULL);
    free(team);
}

void chnsw_embed_team_wake(chnsw_embed_team *team) {
    int expected = 0;
    if (!team || !atomic_load_explicit(&team->sleeping, memory_order_relaxed) ||
        !atomic_compare_exchange_strong_explicit(&team->busy, &expected, 1, memory_order_acquire, memory_order_relaxed))
        return;
    keep_off_caller(team);
    wake_worker(team);
    atomic_store_explicit(&team->busy, 0, memory_order_release);
}

long chnsw_embed_team_worker_id(chnsw_embed_team *team) { return team ? atomic_load(&team->worker_id) : 0; }

uint64_t chnsw_embed_team_worker_chunks(chnsw_embed_team *team) {
    return team ? atomic_load_explicit(&team->worker_chunks, memory_order_relaxed) : 0;
}

/* Runs `run` over `columns` output columns in chunks of whole panels, on the team when it is free,
 * else alone. */
static chnsw_status team_run(chnsw_embed_team *team, team_chunk_fn run, const void *job, size_t columns) {
    int expected = 0;
    size_t panels = (columns + EMBED_PANEL - 1) / EMBED_PANEL;
    if (!team || panels < 4 ||
        !atomic_compare_exchange_strong_explicit(&team->busy, &expected, 1, memory_order_acquire,
                                                 memory_order_relaxed)) {
        run(job, 0, columns);
        return CHNSW_OK;
    }
    keep_off_caller(team);
    team->run = run;
    team->job = job;
    team->columns = columns;
    atomic_store_explicit(&team->range, (uint64_t)panels << 32, memory_order_relaxed);
    if (++team->generation == 0) team->generation = 1; /* 0 is the worker's "none seen" */
    atomic_store(&team->state, (uint64_t)team->generation << 32 | OPEN);
    if (atomic_load(&team->sleeping)) wake_worker(team);
    run_chunks(team, 0);
    /* No joiner from here on; wait for a worker inside to finish its chunk (acquire: its columns). */
    atomic_fetch_and_explicit(&team->state, ~OPEN, memory_order_relaxed);
    for (unsigned spins = 0; atomic_load_explicit(&team->state, memory_order_acquire) & REFS; spins++) {
        if (spins < 512) { /* ~25 us: the worker is finishing a short last chunk */
            cpu_relax();
            continue;
        }
        /* Longer: the worker's core was taken mid-chunk. Sleep until it leaves rather than burn this
         * core. We set `caller_waiting` and then read state; it decrements state and then reads
         * `caller_waiting`: one of us sees the other. */
        uint32_t ticket = atomic_load(&team->left);
        atomic_store(&team->caller_waiting, 1);
        if (atomic_load(&team->state) & REFS) futex_wait(&team->left, ticket);
        atomic_store(&team->caller_waiting, 0);
    }
    atomic_store_explicit(&team->busy, 0, memory_order_release);
    return CHNSW_OK;
}

/* ---- the three products, cut by panels ---- */

struct f32_job {
    chnsw_embed_kernel kernel;
    size_t m, n, k, lda, ldc;
    const float *a, *packed, *bias;
    int accumulate;
    float *c;
};

static void f32_chunk(const void *argument, size_t col, size_t cols) {
    const struct f32_job *j = argument;
    chnsw_f32_gemm(j->kernel, j->m, cols, j->k, j->a, j->lda, j->packed + col * j->k,
                   j->bias ? j->bias + col : NULL, j->accumulate, j->c + col, j->ldc);
}

chnsw_status chnsw_f32_gemm_team(chnsw_embed_team *team, chnsw_embed_kernel kernel, size_t m, size_t n, size_t k,
                                 const float *a, size_t lda, const float *packed, const float *bias, int accumulate,
                                 float *c, size_t ldc) {
    if (!a || !packed || !c || m == 0 || n == 0 || k == 0 || lda < k || ldc < n) return CHNSW_ERR_INVALID_ARGUMENT;
    chnsw_status status = embed_resolve(&kernel, 0);
    if (status != CHNSW_OK) return status;
    struct f32_job job = {kernel, m, n, k, lda, ldc, a, packed, bias, accumulate, c};
    return team_run(team, f32_chunk, &job, n);
}

struct f32q_job {
    chnsw_embed_kernel kernel;
    size_t m, n, k, lda, ldc;
    const float *a, *scales, *bias;
    const int8_t *packed;
    int accumulate;
    float *c;
};

static void f32q_chunk(const void *argument, size_t col, size_t cols) {
    const struct f32q_job *j = argument;
    chnsw_f32q_gemm(j->kernel, j->m, cols, j->k, j->a, j->lda, j->packed + col * j->k,
                    j->scales + col * (j->k / CHNSW_F32Q_BLOCK), j->bias ? j->bias + col : NULL,
                    j->accumulate, j->c + col, j->ldc);
}

chnsw_status chnsw_f32q_gemm_team(chnsw_embed_team *team, chnsw_embed_kernel kernel, size_t m, size_t n, size_t k,
                                  const float *a, size_t lda, const int8_t *packed, const float *scales,
                                  const float *bias, int accumulate, float *c, size_t ldc) {
    if (!a || !packed || !scales || !c || m == 0 || n == 0 || k == 0 || k % CHNSW_F32Q_BLOCK || lda < k || ldc < n)
        return CHNSW_ERR_INVALID_ARGUMENT;
    chnsw_status status = embed_resolve(&kernel, 0);
    if (status != CHNSW_OK) return status;
    struct f32q_job job = {kernel, m, n, k, lda, ldc, a, scales, bias, packed, accumulate, c};
    return team_run(team, f32q_chunk, &job, n);
}

struct s8_job {
    chnsw_embed_kernel kernel;
    size_t m, n, k, ldq, ldc;
    const int8_t *q, *packed;
    const float *row_scales, *col_scales, *bias;
    const int32_t *col_sums;
    int accumulate;
    float *c;
};

static void s8_chunk(const void *argument, size_t col, size_t cols) {
    const struct s8_job *j = argument;
    chnsw_s8_gemm(j->kernel, j->m, cols, j->k, j->q, j->ldq, j->row_scales,
                  j->packed + col / EMBED_PANEL * chnsw_s8_packed_count(EMBED_PANEL, j->k), j->col_scales + col, j->col_sums + col,
                  j->bias ? j->bias + col : NULL, j->accumulate, j->c + col, j->ldc);
}

chnsw_status chnsw_s8_gemm_team(chnsw_embed_team *team, chnsw_embed_kernel kernel, size_t m, size_t n, size_t k,
                                const int8_t *q, size_t ldq, const float *row_scales, const int8_t *packed,
                                const float *col_scales, const int32_t *col_sums, const float *bias, int accumulate,
                                float *c, size_t ldc) {
    if (!q || !row_scales || !packed || !col_scales || !col_sums || !c || m == 0 || n == 0 || k == 0 ||
        ldq < chnsw_s8_row_stride(k) || ldc < n)
        return CHNSW_ERR_INVALID_ARGUMENT;
    chnsw_status status = embed_resolve(&kernel, 1);
    if (status != CHNSW_OK) return status;
    struct s8_job job = {kernel, m, n, k, ldq, ldc, q, packed, row_scales, col_scales, bias, col_sums, accumulate, c};
    return team_run(team, s8_chunk, &job, n);
}
