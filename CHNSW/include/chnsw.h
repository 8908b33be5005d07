/*
 * chnsw.h - a multi-tenant HNSW vector index in C11.
 *
 * The index follows Malkov & Yashunin, "Efficient and robust approximate nearest
 * neighbor search using Hierarchical Navigable Small World graphs" (2016): a layered
 * proximity graph with M links per node on the upper layers and 2*M on layer 0,
 * neighbours chosen by the paper's selection heuristic (algorithm 4); a new node's layer-0
 * list is then filled up to 2*M with the closest candidates the heuristic pruned, on data
 * where the heuristic prunes (at least 1 in 10 of its passes keeps fewer than M).
 *
 * Every vector carries a 64-bit label (the caller's id) and a 32-bit tenant id.
 * A search may be restricted to one tenant, to an allow-list of labels and/or to a
 * caller predicate. A planner then picks either an exact scan of the qualifying
 * vectors (small tenants: recall 1.0) or a filtered graph search that only ever
 * keeps qualifying nodes in its candidate queue, reaching them through two-hop
 * expansion across non-qualifying neighbours (after ACORN-1, Patel et al. 2024),
 * instead of walking the whole graph and dropping results at the output.
 *
 * ERRORS. Every function that can fail returns a chnsw_status. No function aborts
 * on bad input, and a failed call leaves the index exactly as it was.
 *
 * OWNERSHIP. The index owns all its memory. Input arrays are borrowed for the
 * duration of the call only; output arrays are owned by the caller.
 *
 * THREAD SAFETY. An index carries an internal readers-writer lock:
 *   - "reader" functions (chnsw_search, chnsw_search_exact_batch, chnsw_get_vector,
 *     chnsw_contains, chnsw_get_info, chnsw_tenant_size, chnsw_live_count, chnsw_save) may run
 *     concurrently with each other from any number of threads;
 *   - "writer" functions (chnsw_add, chnsw_add_batch, chnsw_update, chnsw_remove) are serialised
 *     with each other and exclude readers while they run (writer-preferring, so a
 *     stream of searches cannot starve a writer);
 *   - chnsw_free must not run concurrently with any other call on the same index.
 * Functions marked "pure" touch no index and are always safe.
 */
#ifndef CHNSW_H
#define CHNSW_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result codes. Values are stable: they are part of the on-wire error codes of the service. */
typedef enum chnsw_status {
    CHNSW_OK = 0,
    /** A required pointer was NULL, or a configuration value is out of range. */
    CHNSW_ERR_INVALID_ARGUMENT = 1,
    /** A vector's dimension differs from the index's. */
    CHNSW_ERR_DIMENSION_MISMATCH = 2,
    /** A vector holds NaN or +-Inf. */
    CHNSW_ERR_NON_FINITE = 3,
    /** A vector of norm zero was given to a cosine index, which cannot normalise it. */
    CHNSW_ERR_ZERO_VECTOR = 4,
    /** k is 0. */
    CHNSW_ERR_K_ZERO = 5,
    /** k exceeds the number of live vectors in the index. */
    CHNSW_ERR_K_EXCEEDS_COUNT = 6,
    /** ef is smaller than k. */
    CHNSW_ERR_EF_TOO_SMALL = 7,
    /** The index holds no live vector. */
    CHNSW_ERR_EMPTY_INDEX = 8,
    /** The search names a tenant that has no vector in the index. */
    CHNSW_ERR_UNKNOWN_TENANT = 9,
    /** The label is already present (live) in the index, or twice in one batch. */
    CHNSW_ERR_DUPLICATE_LABEL = 10,
    /** The label is not present (or already removed). */
    CHNSW_ERR_UNKNOWN_LABEL = 11,
    /** An allocation failed; the index is unchanged. */
    CHNSW_ERR_OUT_OF_MEMORY = 12,
    /** The insert would exceed the configured max_elements. */
    CHNSW_ERR_CAPACITY_EXCEEDED = 13,
    /** The requested SIMD kernel is not supported by this CPU. */
    CHNSW_ERR_UNSUPPORTED_KERNEL = 14,
    /** A file could not be opened, read or written; errno tells why. */
    CHNSW_ERR_IO = 15,
    /** A file is not a CHNSW index, or is damaged (bad checksum, bad size, bad link). */
    CHNSW_ERR_CORRUPT_FILE = 16,
    /** A file was written by a newer, unknown format version. */
    CHNSW_ERR_UNSUPPORTED_VERSION = 17,
    /** A worker thread could not be started. */
    CHNSW_ERR_THREAD = 18,
    /** OpenBLAS (libopenblas.so.0), which exact scans call, could not be loaded; see chnsw_blas_load. */
    CHNSW_ERR_BLAS_UNAVAILABLE = 19
} chnsw_status;

/** Number of chnsw_status values (one past the largest). */
#define CHNSW_STATUS_COUNT 20

/** Distance metric. Distances are "lower is closer". */
typedef enum chnsw_metric {
    /** Squared Euclidean distance. */
    CHNSW_METRIC_L2 = 0,
    /** 1 - <a, b>. Vectors are stored as given. */
    CHNSW_METRIC_IP = 1,
    /** 1 - cos(a, b). Vectors are normalised on insert and queries on search. */
    CHNSW_METRIC_COSINE = 2
} chnsw_metric;

/** Distance kernel implementation. AUTO picks the widest the CPU supports, once, at creation. */
typedef enum chnsw_kernel {
    CHNSW_KERNEL_AUTO = 0,
    CHNSW_KERNEL_SCALAR = 1,
    CHNSW_KERNEL_AVX2 = 2,
    CHNSW_KERNEL_AVX512 = 3
} chnsw_kernel;

/** How a search was (or must be) executed. */
typedef enum chnsw_plan {
    /** Let the planner choose (the default). */
    CHNSW_PLAN_AUTO = 0,
    /** Exact scan of the qualifying vectors. */
    CHNSW_PLAN_EXACT = 1,
    /** Graph search (filtered if the search has a filter). */
    CHNSW_PLAN_GRAPH = 2
} chnsw_plan;

/**
 * Optional memory allocator. All three functions must be given, and be safe to call from
 * several threads at once. A NULL allocator means malloc/realloc/free. Tests use it to
 * inject allocation failures.
 */
typedef struct chnsw_allocator {
    void *(*allocate)(size_t size, void *context);
    void *(*reallocate)(void *pointer, size_t size, void *context);
    void (*release)(void *pointer, void *context);
    void *context;
} chnsw_allocator;

/** Index configuration. Initialise with chnsw_config_init, then adjust. */
typedef struct chnsw_config {
    uint32_t dimension;          /**< 1 ... 65536. */
    chnsw_metric metric;
    uint32_t m;                  /**< Links per node on upper layers, 2 ... 256 (layer 0 gets 2*m). Default 16. */
    uint32_t ef_construction;    /**< Beam width while inserting, >= 1. Default 200. */
    uint64_t seed;               /**< Seed of the level generator; same seed + same inserts = same graph. */
    uint32_t exact_scan_threshold; /**< Filtered searches over at most this many candidates scan exactly. 0 = default. */
    uint64_t max_elements;       /**< Refuse inserts beyond this many nodes (live + removed). 0 = unlimited. */
    chnsw_kernel kernel;
    const chnsw_allocator *allocator; /**< Copied at creation. NULL = the C library's. */
} chnsw_config;

/** The default exact-scan threshold, measured on the reference machine (docs/benchmarks-archive.md,
 *  "Planner threshold"). */
#define CHNSW_DEFAULT_EXACT_SCAN_THRESHOLD 8000u

/** An opaque index. */
typedef struct chnsw_index chnsw_index;

/**
 * A caller predicate for filtered search: return non-zero to keep the vector.
 * It is called from the searching thread, possibly from many threads at once, while the
 * index's read lock is held: it must be thread-safe and must not call into the same index.
 */
typedef int (*chnsw_predicate)(uint64_t label, uint32_t tenant, void *context);

/** Search parameters. Initialise with chnsw_search_params_init, then adjust. */
typedef struct chnsw_search_params {
    uint32_t k;                  /**< Results wanted, >= 1 and <= live count. */
    uint32_t ef;                 /**< Beam width of the graph search, >= k. */
    int restrict_to_tenant;      /**< Non-zero: only vectors of `tenant` qualify. */
    uint32_t tenant;
    const uint64_t *allow_labels; /**< Optional: only these labels qualify (unknown labels are ignored). */
    size_t allow_count;
    chnsw_predicate predicate;   /**< Optional: a further condition on each candidate. */
    void *predicate_context;
    chnsw_plan plan;             /**< Force a plan (benchmarks, tests); AUTO by default. */
} chnsw_search_params;

/** What a search did. */
typedef struct chnsw_search_stats {
    chnsw_plan plan;             /**< EXACT or GRAPH. */
    uint64_t distance_count;     /**< Distances computed. */
    uint64_t qualifying_estimate;/**< Size of the qualifying set the planner saw (0 if unfiltered). */
} chnsw_search_stats;

/** Index facts. */
typedef struct chnsw_info {
    uint32_t dimension;
    chnsw_metric metric;
    uint32_t m;
    uint32_t ef_construction;
    uint32_t exact_scan_threshold;
    chnsw_kernel kernel;         /**< The kernel actually in use (never AUTO). */
    uint64_t node_count;         /**< Nodes in the graph, including removed ones. */
    uint64_t live_count;         /**< Nodes that searches can return. */
    uint64_t removed_count;      /**< Tombstones. */
    uint64_t tenant_count;       /**< Tenants with at least one live vector. */
    int32_t max_level;           /**< Top layer, -1 when empty. */
    uint64_t memory_bytes;       /**< Heap bytes held by the index. */
} chnsw_info;

/* ---- pure functions ---- */

/** Pure. The enum's name, e.g. "CHNSW_ERR_NON_FINITE"; "CHNSW_ERR_UNKNOWN" for a value out of range. */
const char *chnsw_status_name(chnsw_status status);
/** Pure. A one-sentence English description of the status. */
const char *chnsw_status_message(chnsw_status status);
/** Pure. Fills *config with defaults: m 16, ef_construction 200, seed 42, AUTO kernel. */
void chnsw_config_init(chnsw_config *config, uint32_t dimension, chnsw_metric metric);
/** Pure. Fills *params with defaults: k 10, ef 64, no filter, AUTO plan. */
void chnsw_search_params_init(chnsw_search_params *params);
/** Pure. Whether this CPU can run the kernel (AUTO and SCALAR: always). */
int chnsw_kernel_supported(chnsw_kernel kernel);

/* ---- lifecycle ---- */

/**
 * Creates an empty index; on success *out owns it (release with chnsw_free).
 * Errors: INVALID_ARGUMENT, UNSUPPORTED_KERNEL, OUT_OF_MEMORY.
 */
chnsw_status chnsw_create(const chnsw_config *config, chnsw_index **out);

/** Releases the index and everything it owns. NULL is allowed. Exclusive: nothing else may run on it. */
void chnsw_free(chnsw_index *index);

/* ---- writers ---- */

/**
 * Inserts one vector. Writer.
 * Errors: INVALID_ARGUMENT, DIMENSION_MISMATCH, NON_FINITE, ZERO_VECTOR (cosine),
 * DUPLICATE_LABEL, CAPACITY_EXCEEDED, OUT_OF_MEMORY.
 */
chnsw_status chnsw_add(chnsw_index *index, uint64_t label, uint32_t tenant,
                       const float *vector, uint32_t dimension);

/**
 * Inserts n vectors (row-major, n * dimension floats) with their labels and tenants
 * (tenants may be NULL: all tenant 0), using `threads` worker threads (0 = 1). Writer.
 * All rows are validated before any is inserted: on error nothing was inserted and
 * *failed_row (if not NULL) holds the offending row. Rows are inserted grouped by tenant
 * so that each tenant's vectors are contiguous in memory, which makes exact scans fast.
 * Errors: as chnsw_add, plus THREAD.
 */
chnsw_status chnsw_add_batch(chnsw_index *index, size_t n, const uint64_t *labels,
                             const uint32_t *tenants, const float *vectors,
                             uint32_t dimension, uint32_t threads, size_t *failed_row);

/**
 * Marks a label removed (a tombstone): no search returns it again. Its node keeps
 * serving as a waypoint of the graph. To replace a vector, use chnsw_update. Writer.
 * Errors: INVALID_ARGUMENT, UNKNOWN_LABEL.
 */
chnsw_status chnsw_remove(chnsw_index *index, uint64_t label);

/**
 * Replaces a label's vector and tenant, or inserts the label when it is absent. Writer.
 * Atomic for readers: the new node is stored and linked and the old one tombstoned under one
 * write lock, so a search sees the old version or the new one, never neither and never both.
 * On error the index is unchanged and the old version stays searchable.
 * Errors: as chnsw_add, except DUPLICATE_LABEL.
 */
chnsw_status chnsw_update(chnsw_index *index, uint64_t label, uint32_t tenant,
                          const float *vector, uint32_t dimension);

/* ---- readers ---- */

/**
 * Finds the params->k nearest qualifying vectors to `query`. Reader.
 * On success writes *count <= k results, best first, into labels[] and distances[]
 * (both arrays of k elements, distances may be NULL); *count < k only when fewer
 * than k vectors qualify. stats may be NULL.
 * Errors: INVALID_ARGUMENT, DIMENSION_MISMATCH, NON_FINITE, ZERO_VECTOR (cosine query),
 * K_ZERO, K_EXCEEDS_COUNT, EF_TOO_SMALL, EMPTY_INDEX, UNKNOWN_TENANT, OUT_OF_MEMORY,
 * BLAS_UNAVAILABLE (an exact scan over 16 or more consecutive nodes needs OpenBLAS).
 */
chnsw_status chnsw_search(chnsw_index *index, const float *query, uint32_t dimension,
                          const chnsw_search_params *params, uint64_t *labels,
                          float *distances, uint32_t *count, chnsw_search_stats *stats);

/**
 * Exact k-nearest search of nq queries at once over every live vector (ignores filters),
 * computed block by block with cblas_sgemm. Reader. Row q of labels/distances
 * (nq * k each) receives query q's results, best first; unfilled slots get label
 * UINT64_MAX and distance +Inf.
 * Errors: INVALID_ARGUMENT, DIMENSION_MISMATCH, NON_FINITE, ZERO_VECTOR, K_ZERO,
 * K_EXCEEDS_COUNT, EMPTY_INDEX, OUT_OF_MEMORY, BLAS_UNAVAILABLE.
 */
chnsw_status chnsw_search_exact_batch(chnsw_index *index, const float *queries, size_t nq,
                                      uint32_t dimension, uint32_t k, uint64_t *labels,
                                      float *distances);

/** Copies a live label's stored vector (normalised, for cosine) into out. Reader. Errors: INVALID_ARGUMENT, DIMENSION_MISMATCH, UNKNOWN_LABEL. */
chnsw_status chnsw_get_vector(chnsw_index *index, uint64_t label, float *out, uint32_t dimension);

/** Sets *present to 1 if the label is live, else 0. Reader. Errors: INVALID_ARGUMENT. */
chnsw_status chnsw_contains(chnsw_index *index, uint64_t label, int *present);

/** Fills *info. Reader. Errors: INVALID_ARGUMENT. */
chnsw_status chnsw_get_info(chnsw_index *index, chnsw_info *info);

/** Sets *size to the tenant's live vector count (0 for an unknown tenant). Reader. Errors: INVALID_ARGUMENT. */
chnsw_status chnsw_tenant_size(chnsw_index *index, uint32_t tenant, uint64_t *size);

/**
 * Sets *count to the index's live vector count in O(1), for callers that need it per search
 * (chnsw_get_info walks every node and tenant for its memory figure). Reader.
 * Errors: INVALID_ARGUMENT.
 */
chnsw_status chnsw_live_count(chnsw_index *index, uint64_t *count);

/* ---- files ---- */

/**
 * Writes the whole index to `path` (a temporary file, fsync, then rename, so a crash
 * leaves the old file or the new one). Reader. Errors: INVALID_ARGUMENT, IO, OUT_OF_MEMORY.
 */
chnsw_status chnsw_save(chnsw_index *index, const char *path);

/**
 * Reads an index written by chnsw_save (any format version so far); on success *out owns it.
 * A current-version file is mapped, not copied: its vectors, links and walk codes are read
 * in place (privately: changes to the index never reach the file), so opening costs little
 * more than building the tenant map and checking the links. Every link is bounds-checked and
 * every section but the vectors and walk codes checksummed (CRC32C): a damaged file gives
 * CORRUPT_FILE, never a crash; damaged vectors or codes can only give wrong answers, and
 * chnsw_verify_file finds them. The label map is built by the first call that looks a label
 * up (contains, get_vector, remove, add, update, a search with an allow-list); a file that
 * gives one label to two live nodes makes those calls return CORRUPT_FILE. Older versions are read into memory and checked
 * whole. The file must not be rewritten in place while the index is open (chnsw_save replaces
 * files by rename, which is safe). allocator and kernel as in chnsw_config (NULL / AUTO); the
 * mapped arrays do not come from the allocator.
 * Errors: INVALID_ARGUMENT, IO, CORRUPT_FILE, UNSUPPORTED_VERSION, UNSUPPORTED_KERNEL,
 * OUT_OF_MEMORY.
 */
chnsw_status chnsw_load(const char *path, const chnsw_allocator *allocator,
                        chnsw_kernel kernel, chnsw_index **out);

/**
 * Checks every byte of an index file: what chnsw_load checks, plus the checksums of the
 * vectors and walk codes, the zero padding between sections, and that no label is on two
 * live nodes. CHNSW_OK when intact.
 * Errors: as chnsw_load.
 */
chnsw_status chnsw_verify_file(const char *path);

/* ---- caller-owned memory (storage layer) ---- */

/**
 * Pure. The CRC-32C (Castagnoli) of n bytes, chained: pass 0 first, then the previous
 * result to continue. Uses the SSE4.2 instruction when the CPU has it. NULL or n = 0
 * returns crc unchanged. Safe from any thread.
 */
uint32_t chnsw_crc32c(uint32_t crc, const void *data, size_t n);

/**
 * Pure. Exact k-nearest scan of a block of `rows` vectors that the caller owns (e.g. a
 * memory-mapped sealed segment): row r starts at block + r * stride floats. For COSINE
 * the rows must already be unit length (the query is normalised here). `skip`, when not
 * NULL, is a bitmap of ceil(rows / 8) bytes; a set bit r (bit r & 7 of byte r >> 3)
 * excludes row r (a tombstone). Writes *count = min(k, rows not skipped) results, best
 * first: the row numbers into rows_out[] and distances (lower is closer) into distances[]
 * (both arrays of k elements); ties go to the lower row. Touches no index and holds no
 * lock: safe from any number of threads at once, provided nobody writes the block.
 * Errors: INVALID_ARGUMENT (NULL pointer, dimension 0, stride < dimension, bad metric),
 * K_ZERO, NON_FINITE, ZERO_VECTOR (cosine query), OUT_OF_MEMORY.
 */
chnsw_status chnsw_scan_block(const float *block, size_t rows, uint32_t dimension, size_t stride,
                              chnsw_metric metric, const float *query, uint32_t k, const uint8_t *skip,
                              uint64_t *rows_out, float *distances, uint32_t *count);

/**
 * Pure. Writes the int8 copy of a block that chnsw_scan_block_q8 reads: for row r (at
 * block + r * stride floats), codes[r * dimension + i] = round(x_i / scales[r]) with
 * scales[r] = max_i |x_i| / 127, and bounds[r] >= ||x - scales[r] * code|| plus slack for
 * f32 rounding (relative 1e-4 of ||x||). Caller-owned outputs: rows * dimension codes,
 * rows scales, rows bounds. Safe from any thread.
 * Errors: INVALID_ARGUMENT (NULL pointer with rows > 0, dimension 0, stride < dimension),
 * NON_FINITE (outputs then partly written).
 */
chnsw_status chnsw_quantize_block(const float *block, size_t rows, uint32_t dimension, size_t stride,
                                  int8_t *codes, float *scales, float *bounds);

/**
 * The largest dimension chnsw_scan_block_q8 takes: its integer dot products (int8 row codes
 * times int16 query codes of magnitude M >= 1) must fit in 32 bits, dimension * 128 * M <= INT32_MAX.
 * M is 32767 up to dimension 512 and shrinks beyond (a looser bound, more rows rescored; still exact).
 */
#define CHNSW_Q8_MAX_DIMENSION 16777215u

/**
 * Pure. Same contract and same results as chnsw_scan_block (rows, order, ties to the lower
 * row; distances computed in f32 from the f32 rows), for metrics IP and COSINE only, but it
 * reads every row's int8 code (from chnsw_quantize_block over this block) and the f32 row
 * only of candidates whose error bound lets them reach the k best: about a quarter of the
 * bytes of the f32 scan. Exact, not approximate: a row is skipped only when its bound
 * proves it cannot be among the k best. Safe from any number of threads at once.
 * The query is quantised to int16 and the row scores computed in 32-bit integers, which
 * limits dimension to CHNSW_Q8_MAX_DIMENSION. Allocates nothing for dimension <= 1024,
 * k <= 64 and few candidates; it then uses about 20 KB of stack (its own frame, with the
 * buffers, is 20.3 KB at -O3; `make -C CHNSW check-stack` checks this figure).
 * Errors: INVALID_ARGUMENT (as chnsw_scan_block, also NULL codes/scales/bounds, metric L2,
 * dimension > CHNSW_Q8_MAX_DIMENSION), K_ZERO, NON_FINITE, ZERO_VECTOR (cosine query), OUT_OF_MEMORY.
 */
chnsw_status chnsw_scan_block_q8(const float *block, const int8_t *codes, const float *scales, const float *bounds,
                                 size_t rows, uint32_t dimension, size_t stride, chnsw_metric metric,
                                 const float *query, uint32_t k, const uint8_t *skip, uint64_t *rows_out,
                                 float *distances, uint32_t *count);

/* ---- OpenBLAS, loaded on first use ----
 *
 * Exact scans call OpenBLAS (cblas_sgemv over runs of 16 or more consecutive nodes in a
 * search's exact plan, cblas_sgemm in the exact batch search). The library is not linked: the
 * engine opens libopenblas.so.0 with dlopen the first time a call needs it, once per process,
 * so a process that never scans exactly never loads it (nor starts its thread pool). When it
 * cannot be loaded, those calls return CHNSW_ERR_BLAS_UNAVAILABLE; on Debian the library comes
 * with the libopenblas0 package (libopenblas-dev installs it too).
 */

/**
 * Loads OpenBLAS now if no call has yet, for a program that would rather fail at start than at
 * its first exact scan. Safe from any thread. Errors: BLAS_UNAVAILABLE (chnsw_blas_load_error
 * says why).
 */
chnsw_status chnsw_blas_load(void);

/**
 * Loads OpenBLAS if no call has yet; NULL when it is loaded, else why it could not be (the
 * dynamic loader's message). The string lives as long as the process. Safe from any thread.
 */
const char *chnsw_blas_load_error(void);

/**
 * Sets how many threads OpenBLAS uses for each call, for the whole process (a count below 1
 * means 1). Does not load the library: the count applies now if it is loaded, else as soon as
 * it loads. Safe from any thread.
 */
void chnsw_blas_set_threads(int count);

/**
 * Sets *count to the number of threads OpenBLAS uses for each call, loading the library if no
 * call has yet. Safe from any thread. Errors: INVALID_ARGUMENT (NULL count), BLAS_UNAVAILABLE.
 */
chnsw_status chnsw_blas_threads(int *count);

#ifdef __cplusplus
}
#endif

#endif /* CHNSW_H */
