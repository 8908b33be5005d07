/*
 * test_errors.c - every bad input returns its named status and leaves the index intact:
 * wrong dimension, NaN/Inf, zero vectors (cosine), k = 0, k > count, ef < k, empty index,
 * unknown tenant, duplicate labels, unknown labels, out-of-memory at every allocation,
 * capacity, and damaged files.
 */
#include "harness.h"
#include "../src/crc32c.h"
#include "../src/internal.h" /* chnsw_persist_save_version: files in older formats */

#include <unistd.h>

static chnsw_index *small_index(chnsw_metric metric, size_t n, uint32_t dim) {
    chnsw_config c;
    chnsw_config_init(&c, dim, metric);
    chnsw_index *ix = NULL;
    CHECK_STATUS(chnsw_create(&c, &ix), CHNSW_OK);
    rng r = {1};
    float *v = make_vectors(&r, n, dim, 0);
    uint64_t *labels = malloc(n * sizeof(uint64_t));
    uint32_t *tenants = malloc(n * sizeof(uint32_t));
    for (size_t i = 0; i < n; i++) {
        labels[i] = 100 + i;
        tenants[i] = (uint32_t)(i % 3);
    }
    if (n) CHECK_STATUS(chnsw_add_batch(ix, n, labels, tenants, v, dim, 1, NULL), CHNSW_OK);
    free(v);
    free(labels);
    free(tenants);
    return ix;
}

static uint64_t live(chnsw_index *ix) {
    chnsw_info info;
    chnsw_get_info(ix, &info);
    return info.live_count;
}

static void test_config_errors(void) {
    chnsw_config c;
    chnsw_index *ix = (chnsw_index *)1;
    chnsw_config_init(&c, 0, CHNSW_METRIC_L2);
    CHECK_STATUS(chnsw_create(&c, &ix), CHNSW_ERR_INVALID_ARGUMENT);
    CHECK(ix == NULL);
    chnsw_config_init(&c, 8, (chnsw_metric)9);
    CHECK_STATUS(chnsw_create(&c, &ix), CHNSW_ERR_INVALID_ARGUMENT);
    chnsw_config_init(&c, 8, CHNSW_METRIC_L2);
    c.m = 1;
    CHECK_STATUS(chnsw_create(&c, &ix), CHNSW_ERR_INVALID_ARGUMENT);
    chnsw_config_init(&c, 8, CHNSW_METRIC_L2);
    c.kernel = (chnsw_kernel)42;
    CHECK_STATUS(chnsw_create(&c, &ix), CHNSW_ERR_INVALID_ARGUMENT);
    if (!chnsw_kernel_supported(CHNSW_KERNEL_AVX512)) {
        c.kernel = CHNSW_KERNEL_AVX512;
        CHECK_STATUS(chnsw_create(&c, &ix), CHNSW_ERR_UNSUPPORTED_KERNEL);
    }
    CHECK_STATUS(chnsw_create(NULL, &ix), CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_create(&c, NULL), CHNSW_ERR_INVALID_ARGUMENT);
    for (int s = 0; s < CHNSW_STATUS_COUNT; s++) {
        CHECK(strncmp(chnsw_status_name((chnsw_status)s), "CHNSW_", 6) == 0);
        CHECK(strlen(chnsw_status_message((chnsw_status)s)) > 3);
    }
    CHECK(strcmp(chnsw_status_name((chnsw_status)999), "CHNSW_ERR_UNKNOWN") == 0);
}

static void test_insert_errors(void) {
    const uint32_t dim = 8;
    chnsw_index *ix = small_index(CHNSW_METRIC_COSINE, 50, dim);
    float v[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK_STATUS(chnsw_add(ix, 1, 0, v, 7), CHNSW_ERR_DIMENSION_MISMATCH);
    v[3] = NAN;
    CHECK_STATUS(chnsw_add(ix, 1, 0, v, dim), CHNSW_ERR_NON_FINITE);
    v[3] = INFINITY;
    CHECK_STATUS(chnsw_add(ix, 1, 0, v, dim), CHNSW_ERR_NON_FINITE);
    v[3] = -INFINITY;
    CHECK_STATUS(chnsw_add(ix, 1, 0, v, dim), CHNSW_ERR_NON_FINITE);
    float huge[8] = {3e38f, 3e38f, 0, 0, 0, 0, 0, 0}; /* finite, but its norm overflows a float */
    CHECK_STATUS(chnsw_add(ix, 1, 0, huge, dim), CHNSW_OK);
    float zero[8] = {0};
    CHECK_STATUS(chnsw_add(ix, 2, 0, zero, dim), CHNSW_ERR_ZERO_VECTOR);
    v[3] = 4;
    CHECK_STATUS(chnsw_add(ix, 100, 0, v, dim), CHNSW_ERR_DUPLICATE_LABEL);
    CHECK_STATUS(chnsw_add(ix, 3, 0, NULL, dim), CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_add(NULL, 3, 0, v, dim), CHNSW_ERR_INVALID_ARGUMENT);

    /* A batch with one bad row inserts nothing and names the row. */
    float rows[3 * 8];
    for (int i = 0; i < 24; i++) rows[i] = (float)(i + 1);
    uint64_t labels[3] = {7, 8, 9};
    size_t failed = 0;
    rows[8 + 5] = NAN;
    CHECK_STATUS(chnsw_add_batch(ix, 3, labels, NULL, rows, dim, 1, &failed), CHNSW_ERR_NON_FINITE);
    CHECK(failed == 1);
    rows[8 + 5] = 1;
    labels[2] = 7;
    CHECK_STATUS(chnsw_add_batch(ix, 3, labels, NULL, rows, dim, 2, &failed), CHNSW_ERR_DUPLICATE_LABEL);
    CHECK(failed == 2);
    labels[2] = 101;
    CHECK_STATUS(chnsw_add_batch(ix, 3, labels, NULL, rows, dim, 2, &failed), CHNSW_ERR_DUPLICATE_LABEL);
    CHECK(failed == 2);
    CHECK(live(ix) == 51);
    int present = 1;
    chnsw_contains(ix, 7, &present);
    CHECK(!present);

    CHECK_STATUS(chnsw_remove(ix, 424242), CHNSW_ERR_UNKNOWN_LABEL);
    CHECK_STATUS(chnsw_remove(ix, 100), CHNSW_OK);
    CHECK_STATUS(chnsw_remove(ix, 100), CHNSW_ERR_UNKNOWN_LABEL);
    float out[8];
    CHECK_STATUS(chnsw_get_vector(ix, 100, out, dim), CHNSW_ERR_UNKNOWN_LABEL);
    CHECK_STATUS(chnsw_get_vector(ix, 101, out, 3), CHNSW_ERR_DIMENSION_MISMATCH);
    CHECK(live(ix) == 50);
    chnsw_free(ix);
}

static void test_search_errors(void) {
    const uint32_t dim = 8;
    chnsw_index *empty = small_index(CHNSW_METRIC_L2, 0, dim);
    float q[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    uint64_t labels[64];
    uint32_t count = 99;
    chnsw_search_params p;
    chnsw_search_params_init(&p);
    CHECK_STATUS(chnsw_search(empty, q, dim, &p, labels, NULL, &count, NULL), CHNSW_ERR_EMPTY_INDEX);
    CHECK(count == 0);
    uint64_t bl[10];
    float bd[10];
    CHECK_STATUS(chnsw_search_exact_batch(empty, q, 1, dim, 10, bl, bd), CHNSW_ERR_EMPTY_INDEX);
    chnsw_free(empty);

    chnsw_index *ix = small_index(CHNSW_METRIC_COSINE, 30, dim);
    CHECK_STATUS(chnsw_search(ix, q, 4, &p, labels, NULL, &count, NULL), CHNSW_ERR_DIMENSION_MISMATCH);
    q[2] = NAN;
    CHECK_STATUS(chnsw_search(ix, q, dim, &p, labels, NULL, &count, NULL), CHNSW_ERR_NON_FINITE);
    q[2] = 0;
    float zero[8] = {0};
    CHECK_STATUS(chnsw_search(ix, zero, dim, &p, labels, NULL, &count, NULL), CHNSW_ERR_ZERO_VECTOR);
    p.k = 0;
    CHECK_STATUS(chnsw_search(ix, q, dim, &p, labels, NULL, &count, NULL), CHNSW_ERR_K_ZERO);
    p.k = 31;
    p.ef = 64;
    CHECK_STATUS(chnsw_search(ix, q, dim, &p, labels, NULL, &count, NULL), CHNSW_ERR_K_EXCEEDS_COUNT);
    p.k = 10;
    p.ef = 9;
    CHECK_STATUS(chnsw_search(ix, q, dim, &p, labels, NULL, &count, NULL), CHNSW_ERR_EF_TOO_SMALL);
    p.ef = 10;
    p.restrict_to_tenant = 1;
    p.tenant = 77;
    CHECK_STATUS(chnsw_search(ix, q, dim, &p, labels, NULL, &count, NULL), CHNSW_ERR_UNKNOWN_TENANT);
    p.tenant = 1;
    CHECK_STATUS(chnsw_search(ix, q, dim, &p, labels, NULL, &count, NULL), CHNSW_OK);
    CHECK(count == 10); /* tenant 1 holds exactly 10 of the 30 */
    p.plan = (chnsw_plan)7;
    CHECK_STATUS(chnsw_search(ix, q, dim, &p, labels, NULL, &count, NULL), CHNSW_ERR_INVALID_ARGUMENT);
    p.plan = CHNSW_PLAN_AUTO;
    p.allow_count = 3;
    CHECK_STATUS(chnsw_search(ix, q, dim, &p, labels, NULL, &count, NULL), CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_search(ix, q, dim, NULL, labels, NULL, &count, NULL), CHNSW_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(chnsw_search_exact_batch(ix, q, 1, dim, 0, bl, bd), CHNSW_ERR_K_ZERO);
    CHECK_STATUS(chnsw_search_exact_batch(ix, q, 1, dim, 31, bl, bd), CHNSW_ERR_K_EXCEEDS_COUNT);
    /* A tenant whose every vector was removed is as unknown as one never seen. */
    for (uint64_t l = 100; l < 130; l += 3) CHECK_STATUS(chnsw_remove(ix, l), CHNSW_OK);
    p.allow_count = 0;
    p.tenant = 0;
    CHECK_STATUS(chnsw_search(ix, q, dim, &p, labels, NULL, &count, NULL), CHNSW_ERR_UNKNOWN_TENANT);
    chnsw_free(ix);
}

/* ---- allocation failures ---- */

typedef struct failing {
    long budget; /* allocations left before they start failing; < 0 = never fail */
    long calls;
} failing;

static void *failing_allocate(size_t size, void *context) {
    failing *f = context;
    f->calls++;
    if (f->budget == 0) return NULL;
    if (f->budget > 0) f->budget--;
    return malloc(size);
}
static void *failing_reallocate(void *p, size_t size, void *context) {
    failing *f = context;
    f->calls++;
    if (f->budget == 0) return NULL;
    if (f->budget > 0) f->budget--;
    return realloc(p, size);
}
static void failing_release(void *p, void *context) {
    (void)context;
    free(p);
}

/* Fails the N-th allocation for every N: each call fails cleanly and the index stays usable. */
static void test_out_of_memory_everywhere(void) {
    const uint32_t dim = 8;
    const size_t n = 300;
    rng r = {9};
    float *v = make_vectors(&r, n, dim, 0);
    uint64_t labels[300];
    for (size_t i = 0; i < n; i++) labels[i] = i;
    failing state = {-1, 0};
    chnsw_allocator allocator = {failing_allocate, failing_reallocate, failing_release, &state};
    chnsw_config c;
    chnsw_config_init(&c, dim, CHNSW_METRIC_L2);
    c.allocator = &allocator;
    int failures_seen = 0;
    for (long budget = 0; budget < 200; budget++) {
        state.budget = budget;
        chnsw_index *ix = NULL;
        chnsw_status s = chnsw_create(&c, &ix);
        if (s != CHNSW_OK) {
            CHECK(s == CHNSW_ERR_OUT_OF_MEMORY && ix == NULL);
            failures_seen++;
            continue;
        }
        s = chnsw_add_batch(ix, n, labels, NULL, v, dim, 2, NULL);
        CHECK(s == CHNSW_OK || s == CHNSW_ERR_OUT_OF_MEMORY);
        chnsw_info info;
        chnsw_get_info(ix, &info);
        CHECK(info.live_count == (s == CHNSW_OK ? n : 0)); /* all or nothing */
        if (s != CHNSW_OK) failures_seen++;
        chnsw_search_params p;
        chnsw_search_params_init(&p);
        uint64_t got[10];
        uint32_t count;
        s = chnsw_search(ix, v, dim, &p, got, NULL, &count, NULL);
        CHECK(s == CHNSW_OK || s == CHNSW_ERR_OUT_OF_MEMORY || s == CHNSW_ERR_EMPTY_INDEX);
        /* With memory back, the same index accepts the batch. */
        state.budget = -1;
        if (info.live_count == 0) CHECK_STATUS(chnsw_add_batch(ix, n, labels, NULL, v, dim, 1, NULL), CHNSW_OK);
        CHECK_STATUS(chnsw_search(ix, v, dim, &p, got, NULL, &count, NULL), CHNSW_OK);
        CHECK(count == 10 && got[0] == 0);
        chnsw_free(ix);
    }
    CHECK(failures_seen > 10);
    free(v);
}

static void test_capacity(void) {
    chnsw_config c;
    chnsw_config_init(&c, 4, CHNSW_METRIC_L2);
    c.max_elements = 2;
    chnsw_index *ix;
    CHECK_STATUS(chnsw_create(&c, &ix), CHNSW_OK);
    float v[4] = {1, 2, 3, 4};
    CHECK_STATUS(chnsw_add(ix, 1, 0, v, 4), CHNSW_OK);
    CHECK_STATUS(chnsw_add(ix, 2, 0, v, 4), CHNSW_OK);
    CHECK_STATUS(chnsw_add(ix, 3, 0, v, 4), CHNSW_ERR_CAPACITY_EXCEEDED);
    chnsw_free(ix);
}

/* ---- files ---- */

static long file_size(const char *path) {
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long s = ftell(f);
    fclose(f);
    return s;
}

/* Writes the first n bytes of a file image to path after fixing its header checksum. */
static void write_with_header_crc(const char *path, unsigned char *image, size_t n) {
    uint32_t crc = chnsw_crc32c_update(0, image, 60);
    memcpy(image + 60, &crc, 4);
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(image, 1, n, f) == n);
    fclose(f);
}

/* Both indexes give the same labels and distances to every query, over all and within tenant 2. */
static void expect_same_answers(chnsw_index *a_ix, chnsw_index *b_ix, const float *queries, int n, uint32_t dim) {
    chnsw_search_params p;
    chnsw_search_params_init(&p);
    p.tenant = 2;
    for (int q = 0; q < n; q++) {
        uint64_t a[10], b[10];
        float da[10], db[10];
        uint32_t ca, cb;
        p.restrict_to_tenant = q % 2;
        CHECK_STATUS(chnsw_search(a_ix, queries + q * dim, dim, &p, a, da, &ca, NULL), CHNSW_OK);
        CHECK_STATUS(chnsw_search(b_ix, queries + q * dim, dim, &p, b, db, &cb, NULL), CHNSW_OK);
        CHECK(ca == cb && memcmp(a, b, ca * 8) == 0 && memcmp(da, db, ca * 4) == 0);
    }
}

/* Saves ix to a new file; path is a mkstemp template, rewritten with the file's name. */
static void save_to_temp(chnsw_index *ix, char *path) {
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) close(fd);
    CHECK_STATUS(chnsw_save(ix, path), CHNSW_OK);
}

static void test_save_load_roundtrip_and_damage(void) {
    const uint32_t dim = 12;
    chnsw_index *ix = small_index(CHNSW_METRIC_COSINE, 400, dim);
    CHECK_STATUS(chnsw_remove(ix, 150), CHNSW_OK);
    char path[] = "/tmp/chnsw-test-XXXXXX";
    save_to_temp(ix, path);
    chnsw_index *back = NULL;
    CHECK_STATUS(chnsw_load(path, NULL, CHNSW_KERNEL_AUTO, &back), CHNSW_OK);
    rng r = {4};
    float *queries = make_vectors(&r, 20, dim, 0);
    chnsw_search_params p;
    chnsw_search_params_init(&p);
    expect_same_answers(ix, back, queries, 20, dim);
    int present = 1;
    chnsw_contains(back, 150, &present);
    CHECK(!present);
    /* The opened index grows (its mapped arrays move to the heap) and finds what it was given. */
    float *extra = make_vectors(&r, 50, dim, 0);
    uint64_t extra_labels[50];
    for (int i = 0; i < 50; i++) extra_labels[i] = 9000 + (uint64_t)i;
    CHECK_STATUS(chnsw_add_batch(back, 50, extra_labels, NULL, extra, dim, 1, NULL), CHNSW_OK);
    chnsw_search_params_init(&p);
    for (int i = 0; i < 50; i++) {
        uint64_t top[10];
        float dtop[10];
        uint32_t c;
        CHECK_STATUS(chnsw_search(back, extra + i * dim, dim, &p, top, dtop, &c, NULL), CHNSW_OK);
        CHECK(c == 10 && top[0] == extra_labels[i]);
    }
    free(extra);
    chnsw_free(back);

    /* Flip one byte at a spread of offsets and cut the file at others: never a crash. Opening
     * refuses the file, or the damage is in the vectors, walk codes or padding (whose checksums
     * opening leaves to verification: such damage can only give wrong answers) and
     * chnsw_verify_file finds it. */
    long size = file_size(path);
    FILE *f = fopen(path, "rb");
    unsigned char *image = malloc((size_t)size);
    CHECK(fread(image, 1, (size_t)size, f) == (size_t)size);
    fclose(f);
    char damaged[64];
    snprintf(damaged, sizeof damaged, "%s.bad", path);
    int found = 0, trials = 0, opened = 0;
    for (long off = 0; off < size; off += (off < 128 ? 1 : 97)) {
        for (int mode = 0; mode < 2; mode++) {
            f = fopen(damaged, "wb");
            if (mode == 0) {
                image[off] ^= 0x5a;
                fwrite(image, 1, (size_t)size, f);
                image[off] ^= 0x5a;
            } else {
                fwrite(image, 1, (size_t)off, f);
            }
            fclose(f);
            chnsw_index *bad = NULL;
            chnsw_status s = chnsw_load(damaged, NULL, CHNSW_KERNEL_AUTO, &bad);
            chnsw_status v = chnsw_verify_file(damaged);
            trials++;
            bool refused = s == CHNSW_ERR_CORRUPT_FILE || s == CHNSW_ERR_UNSUPPORTED_VERSION;
            if (refused && bad == NULL && v == s) found++;
            else if (s == CHNSW_OK && v == CHNSW_ERR_CORRUPT_FILE) {
                found++;
                opened++;
                uint64_t a[10];
                float da[10];
                uint32_t ca;
                for (int q = 0; q < 4; q++) CHECK_STATUS(chnsw_search(bad, queries + q * dim, dim, &p, a, da, &ca, NULL), CHNSW_OK);
            } else {
                fprintf(stderr, "    offset %ld mode %d: load %s, verify %s\n", off, mode, chnsw_status_name(s),
                        chnsw_status_name(v));
            }
            chnsw_free(bad);
        }
    }
    CHECK(found == trials && opened > 0);
    CHECK_STATUS(chnsw_verify_file(path), CHNSW_OK);

    /* A version-2 file (today's format before the mapped one) opens and answers exactly as the
     * index it was saved from. */
    CHECK_STATUS(chnsw_persist_save_version(ix, damaged, 2), CHNSW_OK);
    CHECK_STATUS(chnsw_verify_file(damaged), CHNSW_OK);
    chnsw_index *v2 = NULL;
    CHECK_STATUS(chnsw_load(damaged, NULL, CHNSW_KERNEL_AUTO, &v2), CHNSW_OK);
    expect_same_answers(ix, v2, queries, 20, dim);
    /* Resaved from the copy it was read into, it is today's file again, byte for byte. */
    char resaved[80];
    snprintf(resaved, sizeof resaved, "%s.v3", path);
    CHECK_STATUS(chnsw_save(v2, resaved), CHNSW_OK);
    chnsw_free(v2);
    CHECK(file_size(resaved) == size);
    f = fopen(resaved, "rb");
    unsigned char *again = malloc((size_t)size);
    CHECK(fread(again, 1, (size_t)size, f) == (size_t)size);
    fclose(f);
    CHECK(memcmp(again, image, (size_t)size) == 0);
    free(again);
    unlink(resaved);
    f = fopen(damaged, "rb");
    size = file_size(damaged);
    image = realloc(image, (size_t)size);
    CHECK(fread(image, 1, (size_t)size, f) == (size_t)size);
    fclose(f);

    /* A version-1 file (no walk records: the header's record size 0, no last section) opens,
     * its records rebuilt from the vectors, and answers exactly as the index it was saved from. */
    uint32_t record_size, node_count;
    memcpy(&record_size, image + 56, 4);
    memcpy(&node_count, image + 32, 4);
    CHECK(image[8] == 2 && record_size >= dim);
    long v1_size = size - (8 + (long)node_count * record_size + 4);
    image[8] = 1;
    memset(image + 56, 0, 4);
    write_with_header_crc(damaged, image, (size_t)v1_size);
    chnsw_index *old = NULL;
    CHECK_STATUS(chnsw_load(damaged, NULL, CHNSW_KERNEL_AUTO, &old), CHNSW_OK);
    expect_same_answers(ix, old, queries, 20, dim);
    chnsw_free(old);
    /* ... but a version-1 header that names a record size is damaged. */
    memcpy(image + 56, &record_size, 4);
    write_with_header_crc(damaged, image, (size_t)v1_size);
    CHECK_STATUS(chnsw_load(damaged, NULL, CHNSW_KERNEL_AUTO, &old), CHNSW_ERR_CORRUPT_FILE);

    /* A newer version is refused by name (with a valid header checksum). */
    image[8] = 4;
    write_with_header_crc(damaged, image, (size_t)size);
    chnsw_index *newer = NULL;
    chnsw_status s = chnsw_load(damaged, NULL, CHNSW_KERNEL_AUTO, &newer);
    CHECK(s == CHNSW_ERR_UNSUPPORTED_VERSION && newer == NULL);
    CHECK_STATUS(chnsw_load("/nonexistent/dir/index", NULL, CHNSW_KERNEL_AUTO, &newer), CHNSW_ERR_IO);
    CHECK_STATUS(chnsw_save(ix, "/nonexistent/dir/index"), CHNSW_ERR_IO);
    unlink(damaged);
    unlink(path);
    free(image);
    free(queries);
    chnsw_free(ix);
}

/* The mapping flags of the VMA that starts at `start` (/proc/self/smaps' VmFlags line), or "". */
static void mapping_flags(const void *start, char *flags, size_t cap) {
    flags[0] = 0;
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f) return;
    char line[512];
    bool inside = false;
    while (fgets(line, sizeof(line), f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            inside = lo == (unsigned long)(uintptr_t)start;
        } else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            snprintf(flags, cap, "%s", line + 8);
            break;
        }
    }
    fclose(f);
}

/* A version-3 file used in place asks for huge folios (MADV_HUGEPAGE), so pages read on a
 * search's faults come in 2 MiB folios and mapping them stays cheap (persist.c, open_file). */
static void test_mapped_file_asks_for_huge_folios(void) {
    if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) != 0) {
        fprintf(stderr, "    skipped: this kernel has no transparent huge pages\n");
        return;
    }
    chnsw_index *ix = small_index(CHNSW_METRIC_IP, 300, 16);
    char path[] = "/tmp/chnsw-test-XXXXXX";
    save_to_temp(ix, path);
    chnsw_index *back = NULL;
    CHECK_STATUS(chnsw_load(path, NULL, CHNSW_KERNEL_AUTO, &back), CHNSW_OK);
    CHECK(back && back->mapping);
    char flags[512];
    if (back && back->mapping) mapping_flags(back->mapping, flags, sizeof(flags));
    CHECK(back && back->mapping && strstr(flags, " hg") != NULL);
    chnsw_free(back);
    chnsw_free(ix);
    unlink(path);
}

/*
 * A file whose checksums hold but which gives one label to two live nodes (written wrong, not
 * damaged on disk) opens, and searches answer; the label map, built on first use, finds the
 * duplicate: every call that needs the map fails with CHNSW_ERR_CORRUPT_FILE, and so does
 * verification. Labels of a good file still resolve after open (test_concurrency: from several
 * threads at once).
 */
static void test_duplicate_label_in_file(void) {
    const uint32_t dim = 8;
    chnsw_index *ix = small_index(CHNSW_METRIC_L2, 60, dim);
    char path[] = "/tmp/chnsw-dup-XXXXXX";
    save_to_temp(ix, path);
    long size = file_size(path);
    unsigned char *image = malloc((size_t)size);
    FILE *f = fopen(path, "rb");
    CHECK(fread(image, 1, (size_t)size, f) == (size_t)size);
    fclose(f);
    /* Version 3: sections of "u64 length, zeros to a 4,096 boundary, bytes, u32 CRC-32C"; the
     * node blocks come first, then the labels. */
    size_t at = 64, start = 0, len = 0;
    for (int section = 0; section < 2; section++) {
        memcpy(&len, image + at, 8);
        start = (at + 8 + 4095) / 4096 * 4096;
        at = start + len + 4;
    }
    CHECK(len == 60 * 8);
    memcpy(image + start + 8, image + start, 8); /* node 1 gets node 0's label */
    uint32_t crc = chnsw_crc32c_update(0, image + start, len);
    memcpy(image + start + len, &crc, 4);
    f = fopen(path, "wb");
    CHECK(fwrite(image, 1, (size_t)size, f) == (size_t)size);
    fclose(f);

    chnsw_index *back = NULL;
    CHECK_STATUS(chnsw_load(path, NULL, CHNSW_KERNEL_AUTO, &back), CHNSW_OK);
    chnsw_search_params p;
    chnsw_search_params_init(&p);
    uint64_t top[10];
    float dtop[10];
    uint32_t c;
    float query[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    CHECK_STATUS(chnsw_search(back, query, dim, &p, top, dtop, &c, NULL), CHNSW_OK);
    int present = 0;
    CHECK_STATUS(chnsw_contains(back, 100, &present), CHNSW_ERR_CORRUPT_FILE);
    CHECK_STATUS(chnsw_remove(back, 130), CHNSW_ERR_CORRUPT_FILE);
    CHECK_STATUS(chnsw_add(back, 5000, 0, query, dim), CHNSW_ERR_CORRUPT_FILE);
    CHECK(live(back) == 60);
    chnsw_free(back);
    CHECK_STATUS(chnsw_verify_file(path), CHNSW_ERR_CORRUPT_FILE);

    /* The good file: every label resolves, and one removal is seen by the next lookup. */
    CHECK_STATUS(chnsw_save(ix, path), CHNSW_OK);
    CHECK_STATUS(chnsw_load(path, NULL, CHNSW_KERNEL_AUTO, &back), CHNSW_OK);
    for (uint64_t label = 100; label < 160; label++) {
        CHECK_STATUS(chnsw_contains(back, label, &present), CHNSW_OK);
        CHECK(present);
    }
    CHECK_STATUS(chnsw_contains(back, 99, &present), CHNSW_OK);
    CHECK(!present);
    CHECK_STATUS(chnsw_remove(back, 120), CHNSW_OK);
    CHECK_STATUS(chnsw_contains(back, 120, &present), CHNSW_OK);
    CHECK(!present);
    chnsw_free(back);
    unlink(path);
    free(image);
    chnsw_free(ix);
}

int main(void) {
    RUN(test_config_errors);
    RUN(test_insert_errors);
    RUN(test_search_errors);
    RUN(test_out_of_memory_everywhere);
    RUN(test_capacity);
    RUN(test_save_load_roundtrip_and_damage);
    RUN(test_mapped_file_asks_for_huge_folios);
    RUN(test_duplicate_label_in_file);
    return harness_finish("test_errors");
}
