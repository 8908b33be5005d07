/*
 * embed_kernels.c - which encoder kernels this CPU runs (cpuid, checked at run time so one
 * binary runs everywhere, as the index's distance kernels do).
 */
#include "chnsw_embed.h"

#if defined(__x86_64__) || defined(__i386__)
#define EMBED_X86 1
#endif

int chnsw_embed_kernel_supported(chnsw_embed_kernel kernel, int int8) {
    switch (kernel) {
    case CHNSW_EMBED_KERNEL_AUTO:
    case CHNSW_EMBED_KERNEL_SCALAR:
        return 1;
#ifdef EMBED_X86
    case CHNSW_EMBED_KERNEL_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case CHNSW_EMBED_KERNEL_AVX512:
        __builtin_cpu_init();
        if (!__builtin_cpu_supports("avx512f")) return 0;
        return !int8 || (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni"));
#endif
    default:
        return 0;
    }
}

chnsw_embed_kernel chnsw_embed_kernel_best(int int8) {
    if (chnsw_embed_kernel_supported(CHNSW_EMBED_KERNEL_AVX512, int8)) return CHNSW_EMBED_KERNEL_AVX512;
    if (chnsw_embed_kernel_supported(CHNSW_EMBED_KERNEL_AVX2, int8)) return CHNSW_EMBED_KERNEL_AVX2;
    return CHNSW_EMBED_KERNEL_SCALAR;
}
