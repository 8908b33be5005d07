/*
 * persist.c - the single-file index format (chnsw_save / chnsw_load).
 *
 * Layout, all integers little-endian:
 *   header   64 bytes: magic "CHNSWIX\0", u32 version, u32 dimension, u32 metric, u32 m,
 *            u32 ef_construction, u32 exact_scan_threshold, u64 node_count, u64 live_count,
 *            u32 entry (UINT32_MAX when empty), i32 max_level, u32 walk record size (version
 *            2 and 3; 0 in version 1), u32 CRC-32C of the preceding 60 bytes (max_elements is
 *            a runtime limit and is not stored)
 *   sections in this order, each "u64 byte length | bytes | u32 CRC-32C of the bytes"; in
 *            version 3 zero padding after the length makes the bytes start at a multiple of
 *            4,096 in the file, so they can be used in place from a mapping:
 *     version 3: node blocks (node_count blocks exactly as in memory, internal.h: vector, link
 *            count, 2m links, zero padding), labels (u64 each), tenants (u32 each), levels (u8
 *            each), removed flags (u8 each), upper links (for each node with level L > 0,
 *            L * (1 + m) u32, in node order), walk records (node_count records of the header's
 *            size, walk_codes.c's layout: int8 codes, f32 scale, squared norm, error bound)
 *     versions 1 and 2: vectors (node_count * dimension f32), labels, tenants, levels, removed
 *            flags, layer-0 links (node_count * (1 + 2m) u32: count then links), upper links,
 *            and in version 2 the walk records
 *
 * Opening a version-3 file maps it privately (copy-on-write) and points the index's node
 * blocks and walk records into the mapping: nothing the size of the data is copied, zeroed or
 * recomputed, and pages are read when a search first touches them. Opening checks what a
 * damaged file could turn into a crash: the header, the small sections' checksums, and every
 * count, link and flag against the header. The two big payloads (vectors and walk codes) can
 * only give wrong answers if damaged, so their checksums are left to chnsw_verify_file, which
 * checks every byte. Versions 1 and 2 are copied into memory as before (version 1's walk
 * records rebuilt from its vectors) and checked whole.
 */
#include "internal.h" /* first: it selects the POSIX feature level */
#include "crc32c.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FORMAT_VERSION 3u
#define HEADER_SIZE 64
/* Version 3: where each section's bytes start (a page, so a mapping can be used in place). */
#define SECTION_ALIGN 4096u
static const char magic[8] = {'C', 'H', 'N', 'S', 'W', 'I', 'X', 0};

/* ---- writing ---- */

typedef struct writer {
    FILE *file;
    bool failed;
    uint64_t at;  /* bytes written so far */
    size_t align; /* section alignment (version 3), or 0 */
} writer;

static void write_bytes(writer *w, const void *p, size_t n) {
    if (!w->failed && n && fwrite(p, 1, n, w->file) != n) w->failed = true;
    w->at += n;
}

static void write_section(writer *w, const void *p, size_t n) {
    static const uint8_t zeros[SECTION_ALIGN];
    uint64_t len = n;
    uint32_t crc = chnsw_crc32c_update(0, p, n);
    write_bytes(w, &len, sizeof(len));
    if (w->align) write_bytes(w, zeros, (size_t)((w->align - w->at % w->align) % w->align));
    write_bytes(w, p, n);
    write_bytes(w, &crc, sizeof(crc));
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t get32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static uint64_t get64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* The upper links of every node, concatenated in node order (the file's upper section). */
static chnsw_status write_upper(chnsw_index *ix, writer *w) {
    size_t n = ix->count, upper_words = 0;
    for (size_t i = 0; i < n; i++) upper_words += (size_t)ix->levels[i] * (ix->m + 1);
    uint32_t *upper = chnsw_ix_alloc(ix, upper_words ? upper_words * 4 : 1);
    if (!upper) return CHNSW_ERR_OUT_OF_MEMORY;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        size_t words = (size_t)ix->levels[i] * (ix->m + 1);
        if (words) memcpy(upper + at, ix->upper[i], words * 4);
        at += words;
    }
    write_section(w, upper, upper_words * 4);
    chnsw_ix_free(ix, upper);
    return CHNSW_OK;
}

/* Versions 1 and 2: vectors and layer-0 links in sections of their own. */
static chnsw_status write_split_sections(chnsw_index *ix, writer *w, uint32_t version) {
    size_t n = ix->count, dim = ix->dim;
    /* Sections are built in one buffer at a time: vectors and links are strided in memory. */
    size_t links0 = 1 + (size_t)ix->m0;
    size_t biggest = n * (dim > links0 ? dim : links0) * sizeof(float);
    uint8_t *buf = chnsw_ix_alloc(ix, biggest ? biggest : 1);
    if (!buf) return CHNSW_ERR_OUT_OF_MEMORY;
    for (size_t i = 0; i < n; i++) memcpy(buf + i * dim * 4, node_vector(ix, (node_id)i), dim * 4);
    write_section(w, buf, n * dim * 4);
    write_section(w, ix->labels, n * sizeof(uint64_t));
    write_section(w, ix->tenants, n * sizeof(uint32_t));
    write_section(w, ix->levels, n);
    write_section(w, ix->removed, n);
    for (size_t i = 0; i < n; i++) memcpy(buf + i * links0 * 4, node_links0(ix, (node_id)i), links0 * 4);
    write_section(w, buf, n * links0 * 4);
    chnsw_ix_free(ix, buf);
    chnsw_status status = write_upper(ix, w);
    if (status == CHNSW_OK && version >= 2) write_section(w, ix->codes, n * ix->code_stride);
    return status;
}

static chnsw_status write_all_sections(chnsw_index *ix, writer *w, uint32_t version) {
    size_t n = ix->count;
    uint8_t header[HEADER_SIZE] = {0};
    memcpy(header, magic, 8);
    put32(header + 8, version);
    put32(header + 12, ix->dim);
    put32(header + 16, (uint32_t)ix->metric);
    put32(header + 20, ix->m);
    put32(header + 24, ix->ef_construction);
    put32(header + 28, ix->exact_scan_threshold);
    put64(header + 32, n);
    put64(header + 40, ix->live_count);
    put32(header + 48, ix->entry);
    put32(header + 52, (uint32_t)ix->max_level);
    put32(header + 56, version >= 2 ? (uint32_t)ix->code_stride : 0);
    put32(header + 60, chnsw_crc32c_update(0, header, 60));
    write_bytes(w, header, HEADER_SIZE);
    if (version < 3) return write_split_sections(ix, w, version);

    /* The arrays as they are in memory: no staging buffer for the big ones. */
    w->align = SECTION_ALIGN;
    write_section(w, ix->blocks, n * ix->block_size);
    write_section(w, ix->labels, n * sizeof(uint64_t));
    write_section(w, ix->tenants, n * sizeof(uint32_t));
    write_section(w, ix->levels, n);
    write_section(w, ix->removed, n);
    chnsw_status status = write_upper(ix, w);
    if (status == CHNSW_OK) write_section(w, ix->codes, n * ix->code_stride);
    return status;
}

chnsw_status chnsw_persist_save_version(chnsw_index *ix, const char *path, uint32_t version) {
    if (!ix || !path || version < 1 || version > FORMAT_VERSION) return CHNSW_ERR_INVALID_ARGUMENT;
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 5);
    if (!tmp) return CHNSW_ERR_OUT_OF_MEMORY;
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);

    pthread_rwlock_rdlock(&ix->rwlock);
    chnsw_status status = CHNSW_ERR_IO;
    writer w = {fopen(tmp, "wb"), false, 0, 0};
    if (w.file) {
        status = write_all_sections(ix, &w, version);
        if (fflush(w.file) != 0 || fsync(fileno(w.file)) != 0) w.failed = true;
        if (fclose(w.file) != 0) w.failed = true;
        if (status == CHNSW_OK && w.failed) status = CHNSW_ERR_IO;
        /* Atomic replace: readers of `path` see the old file or the new one, never a mix (and an
         * index that has the old file mapped keeps reading the old file's pages). */
        if (status == CHNSW_OK && rename(tmp, path) != 0) status = CHNSW_ERR_IO;
        if (status != CHNSW_OK) unlink(tmp);
    }
    pthread_rwlock_unlock(&ix->rwlock);
    free(tmp);
    return status;
}

chnsw_status chnsw_save(chnsw_index *ix, const char *path) { return chnsw_persist_save_version(ix, path, FORMAT_VERSION); }

/* ---- reading ---- */

typedef struct reader {
    const uint8_t *data;
    size_t size;
    size_t at;
    size_t align; /* section alignment (version 3), or 0 */
    bool verify;  /* check every checksum and padding byte, not only the ones opening needs */
} reader;

/* Returns the next section's bytes after checking its length and, when `check` or r->verify,
 * its checksum (and the padding's zeros); NULL when they do not hold. */
static const uint8_t *read_section(reader *r, uint64_t expected_len, bool check) {
    if (r->size - r->at < 8) return NULL;
    uint64_t len = get64(r->data + r->at);
    size_t start = r->at + 8;
    if (r->align) {
        size_t pad = (r->align - start % r->align) % r->align;
        if (r->size - start < pad) return NULL;
        if (r->verify)
            for (size_t i = 0; i < pad; i++)
                if (r->data[start + i]) return NULL;
        start += pad;
    }
    if (len != expected_len || r->size - start < 4 || r->size - start - 4 < len) return NULL;
    const uint8_t *p = r->data + start;
    if ((check || r->verify) && chnsw_crc32c_update(0, p, (size_t)len) != get32(p + len)) return NULL;
    r->at = start + (size_t)len + 4;
    return p;
}

/* How many nodes ahead opening prefetches a node's layer-0 links (measured on 74k nodes: 8 saved
 * the most; 4 to 32 all within 10% of it). */
#define LINK_PREFETCH 8

static bool links_valid(const uint32_t *links, uint32_t cap, size_t n, const uint8_t *levels, int level) {
    if (links[0] > cap) return false;
    for (uint32_t i = 1; i <= links[0]; i++)
        if (links[i] >= n || levels[links[i]] < level) return false;
    return true;
}

/*
 * Builds the index from a file image mapped privately and writably. A version-3 image with
 * nodes is adopted (*adopted set): the index keeps it as ix->mapping and unmaps it when freed,
 * also on failure. Otherwise the caller unmaps it.
 */
static chnsw_status load_image(uint8_t *data, size_t size, const chnsw_allocator *allocator, chnsw_kernel kernel,
                               bool verify, chnsw_index **out, bool *adopted) {
    if (size < HEADER_SIZE || memcmp(data, magic, 8) != 0) return CHNSW_ERR_CORRUPT_FILE;
    if (chnsw_crc32c_update(0, data, 60) != get32(data + 60)) return CHNSW_ERR_CORRUPT_FILE;
    uint32_t version = get32(data + 8);
    if (version > FORMAT_VERSION) return CHNSW_ERR_UNSUPPORTED_VERSION;
    if (version < 1) return CHNSW_ERR_CORRUPT_FILE;
    uint32_t record_size = get32(data + 56);
    if ((version == 1) != (record_size == 0)) return CHNSW_ERR_CORRUPT_FILE;

    chnsw_config config;
    chnsw_config_init(&config, get32(data + 12), (chnsw_metric)get32(data + 16));
    config.m = get32(data + 20);
    config.ef_construction = get32(data + 24);
    config.exact_scan_threshold = get32(data + 28);
    config.kernel = kernel;
    config.allocator = allocator;
    uint64_t n = get64(data + 32), live = get64(data + 40);
    node_id entry = get32(data + 48);
    int32_t max_level = (int32_t)get32(data + 52);

    chnsw_status status;
    chnsw_index *ix = chnsw_ix_new_empty(&config, &status);
    if (!ix) return status == CHNSW_ERR_INVALID_ARGUMENT ? CHNSW_ERR_CORRUPT_FILE : status;
    /* Counts come from the file: bound them by the file's size before allocating. */
    size_t dim = ix->dim, links0 = 1 + (size_t)ix->m0;
    status = CHNSW_ERR_CORRUPT_FILE;
    if (n >= NO_NODE || live > n || n * (dim * 4 + 14 + links0 * 4) > size) goto fail;
    if ((n == 0) != (entry == NO_NODE) || max_level < -1 || max_level > MAX_LEVEL) goto fail;
    bool mapped = version >= 3 && n > 0;
    if (mapped) {
        ix->mapping = data;
        ix->mapping_size = size;
        *adopted = true;
    }

    /* Version 3 leaves the two big payloads' checksums to verification; older files are read whole. */
    reader r = {data, size, HEADER_SIZE, version >= 3 ? SECTION_ALIGN : 0, verify};
    const uint8_t *first = read_section(&r, version >= 3 ? n * ix->block_size : n * dim * 4, version < 3);
    const uint8_t *labels = first ? read_section(&r, n * 8, true) : NULL;
    const uint8_t *tenants = labels ? read_section(&r, n * 4, true) : NULL;
    const uint8_t *levels = tenants ? read_section(&r, n, true) : NULL;
    const uint8_t *removed = levels ? read_section(&r, n, true) : NULL;
    const uint8_t *links = NULL; /* versions 1 and 2 */
    if (!removed || (version < 3 && !(links = read_section(&r, n * links0 * 4, true)))) goto fail;
    uint64_t upper_words = 0;
    for (size_t i = 0; i < n; i++) {
        if (levels[i] > MAX_LEVEL || removed[i] > 1) goto fail;
        upper_words += (uint64_t)levels[i] * (ix->m + 1);
    }
    const uint8_t *upper = read_section(&r, upper_words * 4, true);
    if (!upper) goto fail;
    /* The walk records are this build's layout or none: another size is another format. */
    const uint8_t *records = NULL;
    if (version >= 2) {
        if (record_size != ix->code_stride || !(records = read_section(&r, n * ix->code_stride, version < 3))) goto fail;
    }
    if (r.at != r.size) goto fail;
    if (n && (entry >= n || levels[entry] != max_level)) goto fail;

    if (mapped) status = chnsw_ix_reserve_mapped(ix, n, (uint8_t *)first, (uint8_t *)records);
    else if (n) status = chnsw_ix_reserve_filled(ix, n);
    if (status != CHNSW_OK) goto fail;
    status = CHNSW_ERR_CORRUPT_FILE;

    memcpy(ix->labels, labels, n * 8);
    memcpy(ix->tenants, tenants, n * 4);
    memcpy(ix->levels, levels, n);
    memcpy(ix->removed, removed, n);
    ix->count = n; /* from here on chnsw_free releases per-node arrays up to count */
    size_t at = 0;
    uint64_t live_seen = 0;
    size_t links_end = ix->links_offset + links0 * 4;
    for (size_t i = 0; i < n; i++) {
        /* Each node's links sit in a block of their own, a page or so apart: ask for a later
         * node's now, so the misses of several nodes overlap (measured: a quarter of the open). */
        if (i + LINK_PREFETCH < n) prefetch_links0(ix, (node_id)(i + LINK_PREFETCH));
        if (!mapped) {
            float *v = node_vector(ix, (node_id)i);
            memcpy(v, first + i * dim * 4, dim * 4);
            memcpy(node_links0(ix, (node_id)i), links + i * links0 * 4, links0 * 4);
            memset((uint8_t *)v + links_end, 0, ix->block_size - links_end); /* saved as is in version 3 */
        }
        if (!links_valid(node_links0(ix, (node_id)i), ix->m0, n, ix->levels, 0)) goto fail;
        if (mapped) {
            /* Only L2's exact scans read the squared norms; the others leave the records untouched. */
            if (ix->metric == CHNSW_METRIC_L2) ix->sq_norms[i] = node_code_scale_norm(ix, (node_id)i)[1];
        } else if (records) {
            memcpy(ix->codes + i * ix->code_stride, records + i * ix->code_stride, ix->code_stride);
            ix->sq_norms[i] = node_code_scale_norm(ix, (node_id)i)[1];
        } else {
            const float *v = node_vector(ix, (node_id)i);
            ix->sq_norms[i] = ix->kern.dot(v, v, ix->dim);
            chnsw_walk_codes_store(ix, (node_id)i);
        }
        size_t words = (size_t)ix->levels[i] * (ix->m + 1);
        if (words) {
            ix->upper[i] = chnsw_ix_alloc(ix, words * 4);
            if (!ix->upper[i]) {
                status = CHNSW_ERR_OUT_OF_MEMORY;
                goto fail;
            }
            memcpy(ix->upper[i], upper + at * 4, words * 4);
            for (int l = 1; l <= ix->levels[i]; l++)
                if (!links_valid(node_links_upper(ix, (node_id)i, l), ix->m, n, ix->levels, l)) goto fail;
        }
        at += words;
        live_seen += !ix->removed[i];
    }
    if (live_seen != live) goto fail;

    status = chnsw_tenant_map_reserve(ix, &ix->tenants_map, ix->tenants, n);
    if (status != CHNSW_OK) goto fail;
    for (size_t i = 0; i < n; i++) {
        chnsw_tenant_map_append(&ix->tenants_map, ix->tenants[i], (node_id)i);
        if (ix->removed[i]) chnsw_tenant_map_find(&ix->tenants_map, ix->tenants[i])->live--;
    }
    /* The label map is built by the first call that looks a label up (chnsw_labels_ready). */
    atomic_store(&ix->labels_state, LABELS_PENDING);
    ix->live_count = live;
    ix->entry = entry;
    ix->max_level = max_level;
    *out = ix;
    return CHNSW_OK;
fail:
    chnsw_free(ix);
    return status;
}

static chnsw_status open_file(const char *path, const chnsw_allocator *allocator, chnsw_kernel kernel, bool verify,
                              chnsw_index **out) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return CHNSW_ERR_IO;
    chnsw_status status = CHNSW_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size >= 0) {
        size_t size = (size_t)st.st_size;
        if (size == 0) {
            status = CHNSW_ERR_CORRUPT_FILE;
        } else {
            /* Private and writable: a version-3 index is used in place, and an index that is
             * changed later copies what it writes (it moves to the heap when it grows). */
            uint8_t *data = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
            if (data != MAP_FAILED) {
                if (size >= HEADER_SIZE && get32(data + 8) < 3) {
                    (void)madvise(data, size, MADV_SEQUENTIAL); /* read whole, front to back */
                    (void)madvise(data, size, MADV_WILLNEED);
                } else {
                    /* Used in place: pages the cache lacks are then read in 2 MiB folios rather
                     * than the 4 KiB ones random faults would read. What mapping and unmapping
                     * the file costs scales with the folios' count: touching a 162 MB graph cached
                     * in 4 KiB folios took 2,340 faults and 7-12 ms plus 3-4 ms to unmap, cached
                     * in large ones 80-220 faults and under 1 ms (docs/benchmarks-archive.md).
                     * Advice only: a kernel without transparent huge pages refuses it. */
                    (void)madvise(data, size, MADV_HUGEPAGE);
                }
                bool adopted = false;
                status = load_image(data, size, allocator, kernel, verify, out, &adopted);
                if (!adopted) munmap(data, size);
            }
        }
    }
    close(fd);
    return status;
}

chnsw_status chnsw_load(const char *path, const chnsw_allocator *allocator, chnsw_kernel kernel, chnsw_index **out) {
    if (!path || !out) return CHNSW_ERR_INVALID_ARGUMENT;
    *out = NULL;
    return open_file(path, allocator, kernel, false, out);
}

chnsw_status chnsw_verify_file(const char *path) {
    if (!path) return CHNSW_ERR_INVALID_ARGUMENT;
    chnsw_index *ix = NULL;
    chnsw_status status = open_file(path, NULL, CHNSW_KERNEL_AUTO, true, &ix);
    /* Opening leaves the label map to its first use; verification builds it to check the labels. */
    if (status == CHNSW_OK) status = chnsw_labels_ready(ix);
    chnsw_free(ix);
    return status;
}
