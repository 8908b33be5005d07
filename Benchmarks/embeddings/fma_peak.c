/* The fp32 arithmetic ceiling of one core: twelve independent AVX2 FMA chains (enough to hide the
 * FMA latency on both pipes), timed in thread CPU time so other processes on the machine do not
 * inflate it. The embedding targets are judged against this figure in docs/benchmarks-archive.md
 * ("Quiet re-run, the fp32 ceiling").
 *
 *   cc -O3 -funroll-loops -mavx2 -mfma -o /tmp/fma_peak Benchmarks/embeddings/fma_peak.c && taskset -c 0 /tmp/fma_peak
 */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void) {
    enum { CHAINS = 12 };
    __m256 acc[CHAINS];
    const __m256 scale = _mm256_set1_ps(0.999999f), step = _mm256_set1_ps(1e-7f);
    for (int j = 0; j < CHAINS; j++) acc[j] = _mm256_set1_ps((float)j);
    const long iterations = 400000000L / CHAINS;
    double best = 0;
    for (int round = 0; round < 5; round++) {
        double start = cpu_seconds();
        for (long i = 0; i < iterations; i++)
            for (int j = 0; j < CHAINS; j++) acc[j] = _mm256_fmadd_ps(acc[j], scale, step);
        double gflops = (double)iterations * CHAINS * 16 / (cpu_seconds() - start) / 1e9;
        if (gflops > best) best = gflops;
    }
    float sum = 0, lanes[8];
    for (int j = 0; j < CHAINS; j++) {
        _mm256_storeu_ps(lanes, acc[j]);
        sum += lanes[0];
    }
    printf("{\"measure\":\"fp32 FMA peak\",\"gflops_per_core\":%.1f,\"checksum\":%g}\n", best, sum);
    return 0;
}
