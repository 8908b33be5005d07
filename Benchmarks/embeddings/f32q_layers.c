/* The products of one e5-small query (12 layers: q/k/v 1152x384, attention out 384x384, FFN in
 * 1536x384, FFN out 384x1536) for M token rows, with the weights as fp32 panels (chnsw_f32_gemm,
 * 85 MB) and as block-scaled codes (chnsw_f32q_gemm, 24 MB), alternately: thread CPU p50 of 200
 * passes each. Random weights of the 4-bit kind (code x scale); both see the same values.
 *
 *   clang -O2 -ICHNSW/include -ICHNSW/src -o /tmp/f32q_layers Benchmarks/embeddings/f32q_layers.c \
 *     CHNSW/src/embed_gemm_f32.c CHNSW/src/embed_gemm_f32q.c CHNSW/src/embed_kernels.c
 *   flock /work/shared-notes/bench.lock taskset -c 0 /tmp/f32q_layers 14 12
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "chnsw_embed.h"

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
static int ascending(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

enum { PASSES = 200, MATRICES = 4 };

int main(int argc, char **argv) {
    int m = argc > 1 ? atoi(argv[1]) : 14, layers = argc > 2 ? atoi(argv[2]) : 12;
    if (m < 1 || layers < 1 || layers > 12) return 2;
    const size_t outs[MATRICES] = {1152, 384, 1536, 384}, ins[MATRICES] = {384, 384, 384, 1536};
    float *panels[12 * MATRICES], *scales[12 * MATRICES], *bias[12 * MATRICES];
    int8_t *codes[12 * MATRICES];
    double flop = 0;
    for (int l = 0; l < layers * MATRICES; l++) {
        size_t n = outs[l % MATRICES], k = ins[l % MATRICES];
        int8_t *q = malloc(n * k);
        float *s = malloc(n * k / CHNSW_F32Q_BLOCK * sizeof(float)), *w = malloc(n * k * sizeof(float));
        for (size_t i = 0; i < n * k / CHNSW_F32Q_BLOCK; i++) s[i] = (float)(rand() % 1000 + 1) * 1e-5f;
        for (size_t i = 0; i < n * k; i++) w[i] = (float)(q[i] = (int8_t)(rand() % 16 - 8)) * s[i / CHNSW_F32Q_BLOCK];
        panels[l] = malloc(chnsw_f32_packed_count(n, k) * sizeof(float));
        codes[l] = malloc(chnsw_f32q_packed_codes(n, k));
        scales[l] = malloc(chnsw_f32q_packed_scales(n, k) * sizeof(float));
        bias[l] = calloc(n, sizeof(float));
        if (chnsw_f32_pack(w, n, k, panels[l]) != CHNSW_OK || chnsw_f32q_pack(q, s, n, k, codes[l], scales[l]) != CHNSW_OK)
            return 1;
        free(q), free(s), free(w);
        flop += 2.0 * m * (double)n * (double)k;
    }
    float *x = malloc((size_t)m * 1536 * sizeof(float)), *y = malloc((size_t)m * 1536 * sizeof(float));
    for (int i = 0; i < m * 1536; i++) x[i] = (float)(rand() % 1000 - 500) * 1e-3f;
    double f32[PASSES], f32q[PASSES];
    for (int pass = 0; pass < PASSES; pass++) {
        double start = cpu_seconds();
        for (int l = 0; l < layers * MATRICES; l++)
            chnsw_f32_gemm(CHNSW_EMBED_KERNEL_AUTO, (size_t)m, outs[l % MATRICES], ins[l % MATRICES], x,
                           ins[l % MATRICES], panels[l], bias[l], 0, y, outs[l % MATRICES]);
        f32[pass] = cpu_seconds() - start;
        start = cpu_seconds();
        for (int l = 0; l < layers * MATRICES; l++)
            chnsw_f32q_gemm(CHNSW_EMBED_KERNEL_AUTO, (size_t)m, outs[l % MATRICES], ins[l % MATRICES], x,
                            ins[l % MATRICES], codes[l], scales[l], bias[l], 0, y, outs[l % MATRICES]);
        f32q[pass] = cpu_seconds() - start;
    }
    qsort(f32, PASSES, sizeof(double), ascending);
    qsort(f32q, PASSES, sizeof(double), ascending);
    printf("{\"rows\":%d,\"layers\":%d,\"mflop\":%.1f,\"f32_p50_ms\":%.3f,\"f32q_p50_ms\":%.3f,"
           "\"f32_gflops\":%.1f,\"f32q_gflops\":%.1f}\n",
           m, layers, flop / 1e6, f32[PASSES / 2] * 1e3, f32q[PASSES / 2] * 1e3, flop / f32[PASSES / 2] / 1e9,
           flop / f32q[PASSES / 2] / 1e9);
    return 0;
}
