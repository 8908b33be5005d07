/* The AVX-512 ceilings of one core, beside fma_peak.c's AVX2 figure: fp32 FMA on zmm registers
 * and int8 vpdpbusd (AVX-512 VNNI, 64 multiply-adds per instruction), each as twelve
 * independent chains timed in thread CPU time. Run only on a CPU with AVX-512F and VNNI.
 *
 *   cc -O3 -mavx512f -mavx512vnni -o /tmp/avx512_peak Benchmarks/embeddings/avx512_peak.c && taskset -c 0 /tmp/avx512_peak
 */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

enum { CHAINS = 12 };

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void) {
    const long iterations = 400000000L / CHAINS;
    __m512 facc[CHAINS];
    __m512i iacc[CHAINS];
    const __m512 scale = _mm512_set1_ps(0.999999f), step = _mm512_set1_ps(1e-7f);
    const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
    for (int j = 0; j < CHAINS; j++) facc[j] = _mm512_set1_ps((float)j), iacc[j] = _mm512_set1_epi32(j);
    double fbest = 0, ibest = 0;
    for (int round = 0; round < 5; round++) {
        double start = cpu_seconds();
        for (long i = 0; i < iterations; i++)
            for (int j = 0; j < CHAINS; j++) facc[j] = _mm512_fmadd_ps(facc[j], scale, step);
        double g = (double)iterations * CHAINS * 32 / (cpu_seconds() - start) / 1e9;
        fbest = g > fbest ? g : fbest;
        start = cpu_seconds();
        for (long i = 0; i < iterations; i++)
            for (int j = 0; j < CHAINS; j++) {
                iacc[j] = _mm512_dpbusd_epi32(iacc[j], a, b);
                __asm__ volatile("" ::"v"(iacc[j])); /* the result is used: every chain runs */
            }
        g = (double)iterations * CHAINS * 128 / (cpu_seconds() - start) / 1e9;
        ibest = g > ibest ? g : ibest;
    }
    float fsum = 0;
    long isum = 0;
    for (int j = 0; j < CHAINS; j++) fsum += _mm512_reduce_add_ps(facc[j]), isum += _mm512_reduce_add_epi32(iacc[j]);
    printf("{\"measure\":\"avx512 peaks\",\"fp32_gflops_per_core\":%.1f,\"int8_gops_per_core\":%.1f,\"checksum\":%g}\n",
           fbest, ibest, (double)fsum + (double)isum);
    return 0;
}
