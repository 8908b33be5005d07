/* The products of one all-MiniLM-L6-v2 query (6 layers: q/k/v 1152x384, attention out 384x384,
 * FFN in 1536x384, FFN out 384x1536) for M token rows with fp32 panels (chnsw_f32_gemm, 42.5 MB
 * of weights), thread CPU p50 of 300 passes. GAP_US=N idles N microseconds before each pass, as
 * a server does between requests: other work then evicts part of the weights from L3 and the
 * pass reads them from memory. HUGE=1 puts each matrix on 2 MiB pages (madvise), as the encoder's
 * WeightArena does. With a baseline object (another commit's embed_gemm_f32.c whose
 * chnsw_f32_gemm is renamed baseline_f32_gemm), the two alternate pass by pass:
 *
 *   git show main:CHNSW/src/embed_gemm_f32.c > /tmp/base_gemm.c
 *   clang -O2 -ICHNSW/include -ICHNSW/src -c /tmp/base_gemm.c -o /tmp/base.o
 *   objcopy --redefine-sym chnsw_f32_gemm=baseline_f32_gemm --localize-symbol=chnsw_f32_pack \
 *     --localize-symbol=chnsw_f32_packed_count /tmp/base.o /tmp/base2.o
 *   clang -O2 -DBASELINE -ICHNSW/include -ICHNSW/src -o /tmp/f32_layers Benchmarks/embeddings/f32_layers.c \
 *     /tmp/base2.o CHNSW/src/embed_gemm_f32.c CHNSW/src/embed_kernels.c
 *   flock /work/shared-notes/bench.lock env GAP_US=3000 taskset -c 1 /tmp/f32_layers 15
 * (without a baseline: drop -DBASELINE and /tmp/base2.o.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench_clock.h"
#include "chnsw_embed.h"

#ifdef BASELINE
chnsw_status baseline_f32_gemm(chnsw_embed_kernel kernel, size_t m, size_t n, size_t k, const float *a, size_t lda,
                               const float *packed, const float *bias, int accumulate, float *c, size_t ldc);
#endif


enum { PASSES = 300, MATRICES = 4, LAYERS = 6 };
static const size_t outs[MATRICES] = {1152, 384, 1536, 384}, ins[MATRICES] = {384, 384, 384, 1536};
static float *panels[LAYERS * MATRICES], *bias[LAYERS * MATRICES];

typedef chnsw_status (*gemm_fn)(chnsw_embed_kernel, size_t, size_t, size_t, const float *, size_t, const float *,
                                const float *, int, float *, size_t);

static double pass(gemm_fn gemm, int m, const float *x, float *y, int gap) {
    if (gap) usleep((useconds_t)gap);
    double start = cpu_seconds();
    for (int l = 0; l < LAYERS * MATRICES; l++)
        gemm(CHNSW_EMBED_KERNEL_AUTO, (size_t)m, outs[l % MATRICES], ins[l % MATRICES], x, ins[l % MATRICES], panels[l],
             bias[l], 0, y, outs[l % MATRICES]);
    return cpu_seconds() - start;
}

int main(int argc, char **argv) {
    int m = argc > 1 ? atoi(argv[1]) : 15, gap = getenv("GAP_US") ? atoi(getenv("GAP_US")) : 0;
    if (m < 1 || m > 512) return 2;
    double flop = 0;
    for (int l = 0; l < LAYERS * MATRICES; l++) {
        size_t n = outs[l % MATRICES], k = ins[l % MATRICES];
        float *w = malloc(n * k * sizeof(float));
        for (size_t i = 0; i < n * k; i++) w[i] = (float)(rand() % 2000 - 1000) * 1e-4f;
        size_t bytes = chnsw_f32_packed_count(n, k) * sizeof(float);
        if (getenv("HUGE")) {
            bytes = (bytes + (2u << 20) - 1) / (2u << 20) * (2u << 20);
            panels[l] = aligned_alloc(2u << 20, bytes);
            madvise(panels[l], bytes, MADV_HUGEPAGE);
        } else
            panels[l] = aligned_alloc(64, bytes);
        bias[l] = calloc(n, sizeof(float));
        if (chnsw_f32_pack(w, n, k, panels[l]) != CHNSW_OK) return 1;
        free(w);
        flop += 2.0 * m * (double)n * (double)k;
    }
    float *x = malloc((size_t)m * 1536 * sizeof(float)), *y = malloc((size_t)m * 1536 * sizeof(float));
    for (int i = 0; i < m * 1536; i++) x[i] = (float)(rand() % 1000 - 500) * 1e-3f;
    double now[PASSES], base[PASSES];
    for (int p = 0; p < PASSES; p++) {
#ifdef BASELINE
        base[p] = pass(baseline_f32_gemm, m, x, y, gap);
#else
        base[p] = 0;
#endif
        now[p] = pass(chnsw_f32_gemm, m, x, y, gap);
    }
    qsort(now, PASSES, sizeof(double), ascending);
    qsort(base, PASSES, sizeof(double), ascending);
    printf("{\"rows\":%d,\"gap_us\":%d,\"mflop\":%.1f,\"p50_ms\":%.3f,\"gflops\":%.1f", m, gap, flop / 1e6,
           now[PASSES / 2] * 1e3, flop / now[PASSES / 2] / 1e9);
#ifdef BASELINE
    printf(",\"baseline_p50_ms\":%.3f,\"baseline_gflops\":%.1f", base[PASSES / 2] * 1e3, flop / base[PASSES / 2] / 1e9);
#endif
    printf("}\n");
    return 0;
}
