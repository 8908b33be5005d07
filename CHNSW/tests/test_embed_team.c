/*
 * test_embed_team.c - products split by a team (chnsw_embed_team_*, *_gemm_team) equal the
 * single-thread products bit for bit, for every kernel, row counts on both sides of the few-row
 * path, columns not a multiple of 16, accumulation and bias; two callers may share one team; a
 * NULL team runs alone; teams start and stop cleanly, also while idle asleep.
 */
#include "harness.h"

#include "chnsw_embed.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static float next_float(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (float)((double)(rng_state >> 11) / 9007199254740992.0 * 2 - 1);
}
static void fill(float *x, size_t count) {
    for (size_t i = 0; i < count; i++) x[i] = next_float();
}

static const chnsw_embed_kernel KERNELS[] = {CHNSW_EMBED_KERNEL_SCALAR, CHNSW_EMBED_KERNEL_AVX2,
                                             CHNSW_EMBED_KERNEL_AVX512};
/* 1 and 6: the batch tile; 7, 11, 28, 40: the few-row path; 41, 64: the batch path again. */
static const size_t ROWS[] = {1, 3, 6, 7, 11, 15, 28, 40, 41, 64};
/* Columns: under one chunk, a remainder panel, and MiniLM's widths. */
static const size_t COLS[] = {16, 40, 100, 384, 1152};

struct shape {
    size_t m, n, k, lda, ldc;
};

static int bits_equal(const float *x, const float *y, size_t count) { return memcmp(x, y, count * sizeof(float)) == 0; }

static void check_f32(chnsw_embed_team *team, struct shape s, int with_bias, int accumulate) {
    float *a = malloc(s.m * s.lda * sizeof(float)), *w = malloc(s.n * s.k * sizeof(float));
    float *bias = malloc(s.n * sizeof(float)), *c0 = malloc(s.m * s.ldc * sizeof(float));
    float *alone = malloc(s.m * s.ldc * sizeof(float)), *split = malloc(s.m * s.ldc * sizeof(float));
    float *packed = malloc(chnsw_f32_packed_count(s.n, s.k) * sizeof(float));
    fill(a, s.m * s.lda);
    fill(w, s.n * s.k);
    fill(bias, s.n);
    fill(c0, s.m * s.ldc);
    CHECK_STATUS(chnsw_f32_pack(w, s.n, s.k, packed), CHNSW_OK);
    for (size_t e = 0; e < sizeof KERNELS / sizeof KERNELS[0]; e++) {
        if (!chnsw_embed_kernel_supported(KERNELS[e], 0)) continue;
        memcpy(alone, c0, s.m * s.ldc * sizeof(float));
        memcpy(split, c0, s.m * s.ldc * sizeof(float));
        const float *b = with_bias ? bias : NULL;
        CHECK_STATUS(chnsw_f32_gemm(KERNELS[e], s.m, s.n, s.k, a, s.lda, packed, b, accumulate, alone, s.ldc), CHNSW_OK);
        CHECK_STATUS(chnsw_f32_gemm_team(team, KERNELS[e], s.m, s.n, s.k, a, s.lda, packed, b, accumulate, split, s.ldc),
                     CHNSW_OK);
        if (!bits_equal(alone, split, s.m * s.ldc)) {
            fprintf(stderr, "f32 team kernel %d m=%zu n=%zu k=%zu differs\n", KERNELS[e], s.m, s.n, s.k);
            harness_failures++;
        }
    }
    free(a), free(w), free(bias), free(c0), free(alone), free(split), free(packed);
}

static void check_f32q(chnsw_embed_team *team, struct shape s) {
    size_t blocks = s.k / CHNSW_F32Q_BLOCK;
    int8_t *codes = malloc(s.n * s.k), *packed = malloc(chnsw_f32q_packed_codes(s.n, s.k));
    float *scales = malloc(s.n * blocks * sizeof(float)), *packed_scales = malloc(chnsw_f32q_packed_scales(s.n, s.k) * sizeof(float));
    float *a = malloc(s.m * s.lda * sizeof(float)), *bias = malloc(s.n * sizeof(float));
    float *alone = malloc(s.m * s.ldc * sizeof(float)), *split = malloc(s.m * s.ldc * sizeof(float));
    for (size_t i = 0; i < s.n * s.k; i++) codes[i] = (int8_t)(next_float() * 7.5f);
    for (size_t i = 0; i < s.n * blocks; i++) scales[i] = 0.01f + 0.001f * (float)(i % 13);
    fill(a, s.m * s.lda);
    fill(bias, s.n);
    CHECK_STATUS(chnsw_f32q_pack(codes, scales, s.n, s.k, packed, packed_scales), CHNSW_OK);
    for (size_t e = 0; e < sizeof KERNELS / sizeof KERNELS[0]; e++) {
        if (!chnsw_embed_kernel_supported(KERNELS[e], 0)) continue;
        memset(alone, 0, s.m * s.ldc * sizeof(float));
        memset(split, 0, s.m * s.ldc * sizeof(float));
        CHECK_STATUS(chnsw_f32q_gemm(KERNELS[e], s.m, s.n, s.k, a, s.lda, packed, packed_scales, bias, 0, alone, s.ldc),
                     CHNSW_OK);
        CHECK_STATUS(chnsw_f32q_gemm_team(team, KERNELS[e], s.m, s.n, s.k, a, s.lda, packed, packed_scales, bias, 0,
                                          split, s.ldc),
                     CHNSW_OK);
        if (!bits_equal(alone, split, s.m * s.ldc)) {
            fprintf(stderr, "f32q team kernel %d m=%zu n=%zu k=%zu differs\n", KERNELS[e], s.m, s.n, s.k);
            harness_failures++;
        }
    }
    free(codes), free(packed), free(scales), free(packed_scales), free(a), free(bias), free(alone), free(split);
}

static void check_s8(chnsw_embed_team *team, struct shape s) {
    size_t ldq = chnsw_s8_row_stride(s.k);
    float *w = malloc(s.n * s.k * sizeof(float)), *a = malloc(s.m * s.lda * sizeof(float));
    float *col_scales = malloc(s.n * sizeof(float)), *row_scales = malloc(s.m * sizeof(float));
    float *bias = malloc(s.n * sizeof(float));
    float *alone = malloc(s.m * s.ldc * sizeof(float)), *split = malloc(s.m * s.ldc * sizeof(float));
    int8_t *packed = malloc(chnsw_s8_packed_count(s.n, s.k)), *q = malloc(s.m * ldq);
    int32_t *sums = malloc(s.n * sizeof(int32_t));
    fill(w, s.n * s.k);
    fill(a, s.m * s.lda);
    fill(bias, s.n);
    CHECK_STATUS(chnsw_s8_pack(w, s.n, s.k, packed, col_scales, sums), CHNSW_OK);
    for (size_t e = 0; e < sizeof KERNELS / sizeof KERNELS[0]; e++) {
        if (!chnsw_embed_kernel_supported(KERNELS[e], 1)) continue;
        CHECK_STATUS(chnsw_s8_quantize_rows(KERNELS[e], s.m, s.k, a, s.lda, q, ldq, row_scales), CHNSW_OK);
        fill(alone, s.m * s.ldc);
        memcpy(split, alone, s.m * s.ldc * sizeof(float));
        CHECK_STATUS(chnsw_s8_gemm(KERNELS[e], s.m, s.n, s.k, q, ldq, row_scales, packed, col_scales, sums, bias, 1,
                                   alone, s.ldc),
                     CHNSW_OK);
        CHECK_STATUS(chnsw_s8_gemm_team(team, KERNELS[e], s.m, s.n, s.k, q, ldq, row_scales, packed, col_scales, sums,
                                        bias, 1, split, s.ldc),
                     CHNSW_OK);
        if (!bits_equal(alone, split, s.m * s.ldc)) {
            fprintf(stderr, "s8 team kernel %d m=%zu n=%zu k=%zu differs\n", KERNELS[e], s.m, s.n, s.k);
            harness_failures++;
        }
    }
    free(w), free(a), free(col_scales), free(row_scales), free(bias), free(alone), free(split), free(packed), free(q),
        free(sums);
}

static void test_split_products_equal_single_thread(void) {
    chnsw_embed_team *team = chnsw_embed_team_create(200);
    if (!team) fprintf(stderr, "    (fewer than two CPUs: the team is NULL and runs alone)\n");
    uint64_t before = chnsw_embed_team_worker_chunks(team);
    for (size_t r = 0; r < sizeof ROWS / sizeof ROWS[0]; r++)
        for (size_t c = 0; c < sizeof COLS / sizeof COLS[0]; c++) {
            size_t k = c % 2 ? 384 : 97, ldc = COLS[c] + (r % 3);
            check_f32(team, (struct shape){ROWS[r], COLS[c], k, k + (r % 2), ldc}, (int)(r % 2), (int)(c % 2));
            check_s8(team, (struct shape){ROWS[r], COLS[c], k, k + 3, ldc});
            check_f32q(team, (struct shape){ROWS[r], COLS[c], 384, 384, COLS[c]});
        }
    /* With two CPUs the worker must have taken part in some of these products. */
    if (team) CHECK(chnsw_embed_team_worker_chunks(team) > before);
    chnsw_embed_team_destroy(team);
}

static void test_null_team_runs_alone_and_refuses_bad_input(void) {
    float a[16] = {1}, packed[16 * 1] = {2}, c[16] = {0};
    CHECK_STATUS(chnsw_f32_gemm_team(NULL, CHNSW_EMBED_KERNEL_AUTO, 1, 16, 1, a, 1, packed, NULL, 0, c, 16), CHNSW_OK);
    CHECK(c[0] == 2.0f);
    CHECK_STATUS(chnsw_f32_gemm_team(NULL, CHNSW_EMBED_KERNEL_AUTO, 0, 16, 1, a, 1, packed, NULL, 0, c, 16),
                 CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_f32_gemm_team(NULL, CHNSW_EMBED_KERNEL_AUTO, 1, 16, 2, a, 1, packed, NULL, 0, c, 16),
                 CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_f32q_gemm_team(NULL, CHNSW_EMBED_KERNEL_AUTO, 1, 16, 31, a, 31, (const int8_t *)a, a, NULL, 0,
                                      c, 16),
                 CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_s8_gemm_team(NULL, CHNSW_EMBED_KERNEL_AUTO, 1, 16, 4, NULL, 64, a, (const int8_t *)a, a,
                                    (const int32_t *)a, NULL, 0, c, 16),
                 CHNSW_ERR_INVALID_ARGUMENT);
    chnsw_embed_team_destroy(NULL);
    chnsw_embed_team_wake(NULL);
    CHECK(chnsw_embed_team_worker_chunks(NULL) == 0);
}

/* Two threads run products on one team at once: one holds it, the other runs alone; all results
 * stay exact. */
struct shared_use {
    chnsw_embed_team *team;
    const float *a, *packed;
    const float *expected;
    size_t m, n, k;
    int failures;
};

static void *use_team(void *argument) {
    struct shared_use *u = argument;
    float *c = malloc(u->m * u->n * sizeof(float));
    for (int round = 0; round < 200; round++) {
        chnsw_f32_gemm_team(u->team, CHNSW_EMBED_KERNEL_AUTO, u->m, u->n, u->k, u->a, u->k, u->packed, NULL, 0, c, u->n);
        u->failures += !bits_equal(c, u->expected, u->m * u->n);
    }
    free(c);
    return NULL;
}

static void test_two_callers_share_a_team(void) {
    chnsw_embed_team *team = chnsw_embed_team_create(50);
    size_t m = 11, n = 384, k = 384;
    float *a = malloc(m * k * sizeof(float)), *w = malloc(n * k * sizeof(float)), *expected = malloc(m * n * sizeof(float));
    float *packed = malloc(chnsw_f32_packed_count(n, k) * sizeof(float));
    fill(a, m * k);
    fill(w, n * k);
    chnsw_f32_pack(w, n, k, packed);
    chnsw_f32_gemm(CHNSW_EMBED_KERNEL_AUTO, m, n, k, a, k, packed, NULL, 0, expected, n);
    struct shared_use uses[2] = {{team, a, packed, expected, m, n, k, 0}, {team, a, packed, expected, m, n, k, 0}};
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) pthread_create(&threads[i], NULL, use_team, &uses[i]);
    for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
    CHECK(uses[0].failures == 0 && uses[1].failures == 0);
    chnsw_embed_team_destroy(team);
    free(a), free(w), free(expected), free(packed);
}

/* A team whose worker went to sleep still splits the next product and stops promptly. */
static void test_sleeping_worker_wakes_and_stops(void) {
    for (int round = 0; round < 20; round++) {
        chnsw_embed_team *team = chnsw_embed_team_create(10);
        if (!team) return;
        struct timespec pause = {0, 2000000};
        nanosleep(&pause, NULL);
        chnsw_embed_team_wake(team);
        check_f32(team, (struct shape){11, 1152, 384, 384, 1152}, 1, 0);
        if (round % 2) nanosleep(&pause, NULL); /* half the teams stop while their worker sleeps */
        long id = chnsw_embed_team_worker_id(team);
        char path[64];
        snprintf(path, sizeof path, "/proc/self/task/%ld", id);
        CHECK(id > 0 && access(path, F_OK) == 0);
        chnsw_embed_team_destroy(team);
        /* Joined: the thread has exited (the kernel drops its /proc entry a moment after the join). */
        struct timespec tick = {0, 1000000};
        for (int wait = 0; wait < 1000 && access(path, F_OK) == 0; wait++) nanosleep(&tick, NULL);
        CHECK(access(path, F_OK) != 0);
    }
}

int main(void) {
    fprintf(stderr, "test_embed_team\n");
    RUN(test_split_products_equal_single_thread);
    RUN(test_null_team_runs_alone_and_refuses_bad_input);
    RUN(test_two_callers_share_a_team);
    RUN(test_sleeping_worker_wakes_and_stops);
    return harness_finish("test_embed_team");
}
