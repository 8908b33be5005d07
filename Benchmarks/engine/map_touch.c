/*
 * map_touch.c - what mapping a file costs, by how the page cache holds it.
 *
 * Maps FILE privately and writably, as chnsw_load maps a graph, reads one byte of every
 * 4 KiB page, and unmaps it. Prints the page faults taken, the CPU time of the touch pass and
 * of the munmap, and (run as root, which /proc/self/pagemap's frame numbers need) how many of
 * the file's pages the page cache holds in 2 MiB folios, in other large folios and in 4 KiB
 * pages. Options, in this order when both are given:
 *   --evict   drop FILE from the page cache first (fdatasync, POSIX_FADV_DONTNEED), so the touch
 *             pass reads it back from disk
 *   --advise  madvise(MADV_HUGEPAGE) the mapping before touching it, as chnsw_load does
 *
 *   make -C Benchmarks/engine map_touch
 *   Benchmarks/engine/map_touch [--evict] [--advise] DIR/seg-000001-g2.chnsw
 */
#define _GNU_SOURCE
#include "bench_time.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096u
#define KPF_COMPOUND_HEAD (1ull << 15)
#define KPF_COMPOUND_TAIL (1ull << 16)

static long faults(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return r.ru_minflt + r.ru_majflt;
}

/* Pages of [p, p + size) in 2 MiB folios, other large folios and 4 KiB folios; false without access. */
static int folio_census(const uint8_t *p, size_t size, size_t counts[3]) {
    int pagemap = open("/proc/self/pagemap", O_RDONLY), flags = open("/proc/kpageflags", O_RDONLY);
    int ok = pagemap >= 0 && flags >= 0;
    size_t pages = size / PAGE, run = 0;
    for (size_t i = 0; ok && i <= pages; i++) {
        uint64_t entry = 0, kflags = 0;
        if (i < pages) {
            ok = pread(pagemap, &entry, 8, (off_t)(((uintptr_t)p / PAGE + i) * 8)) == 8;
            uint64_t pfn = entry & ((1ull << 55) - 1);
            ok = ok && (!(entry >> 63) || pfn != 0); /* present but no frame number: not root */
            if (ok && (entry >> 63)) ok = pread(flags, &kflags, 8, (off_t)(pfn * 8)) == 8;
        }
        /* A run is a head and its tails; a page outside any run is a 4 KiB folio. */
        if (i == pages || !(kflags & KPF_COMPOUND_TAIL)) {
            if (run) counts[run == 512 ? 0 : 1] += run;
            run = 0;
        }
        if (i < pages) {
            if (kflags & (KPF_COMPOUND_HEAD | KPF_COMPOUND_TAIL)) run++;
            else counts[2]++;
        }
    }
    if (pagemap >= 0) close(pagemap);
    if (flags >= 0) close(flags);
    return ok;
}

int main(int argc, char **argv) {
    int evict = 0, advise = 0, a = 1;
    for (; a < argc - 1; a++) {
        if (strcmp(argv[a], "--evict") == 0) evict = 1;
        else if (strcmp(argv[a], "--advise") == 0) advise = 1;
        else break;
    }
    if (a != argc - 1) {
        fprintf(stderr, "usage: %s [--evict] [--advise] FILE\n", argv[0]);
        return 2;
    }
    int fd = open(argv[a], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
        perror(argv[a]);
        return 1;
    }
    size_t size = (size_t)st.st_size;
    if (evict && (fdatasync(fd) != 0 || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0)) perror("evict");
    uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    if (advise && madvise(p, size, MADV_HUGEPAGE) != 0) perror("madvise");
    long f0 = faults();
    double t0 = cpu_seconds();
    unsigned sum = 0;
    for (size_t i = 0; i < size; i += PAGE) sum += p[i];
    double t1 = cpu_seconds();
    long touched = faults() - f0;
    size_t counts[3] = {0, 0, 0};
    int census = folio_census(p, size, counts);
    double t2 = cpu_seconds();
    munmap(p, size);
    double t3 = cpu_seconds();
    printf("%s: %zu bytes, touch %.2f ms CPU, %ld faults, munmap %.2f ms (checksum %u)\n", argv[a], size,
           (t1 - t0) * 1e3, touched, (t3 - t2) * 1e3, sum);
    if (census) {
        double pages = (double)(counts[0] + counts[1] + counts[2]);
        printf("pages in 2 MiB folios %.1f%%, other large folios %.1f%%, 4 KiB pages %.1f%%\n",
               100 * counts[0] / pages, 100 * counts[1] / pages, 100 * counts[2] / pages);
    } else {
        printf("folio census skipped: /proc/self/pagemap frame numbers need root\n");
    }
    close(fd);
    return 0;
}
