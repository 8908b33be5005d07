"""The peer engines behind one small interface, so the worker can time them all alike.

Each engine: build(vectors, m, ef_construction, threads); save(path); load(path, dim);
set_ef(ef); search(queries, k) for a batch on one thread; search_one(query, k);
and, where the engine has a filter, prepare_tenants(tenant_of) + search_tenant(query, k, t).
All use inner product on unit vectors; labels are base row numbers.
"""

import numpy as np


class Hnswlib:
    """hnswlib, built from the sdist with -march=native (see setup-venv.sh)."""

    name = "hnswlib"

    def build(self, x, m, ef_construction, threads):
        import hnswlib
        self.index = hnswlib.Index(space="ip", dim=x.shape[1])
        self.index.init_index(max_elements=len(x), ef_construction=ef_construction, M=m)
        self.index.add_items(x, np.arange(len(x)), num_threads=threads)

    def save(self, path):
        self.index.save_index(path)

    def load(self, path, dim):
        import hnswlib
        self.index = hnswlib.Index(space="ip", dim=dim)
        self.index.load_index(path)

    def set_ef(self, ef):
        self.index.set_ef(ef)

    def search(self, q, k):
        return self.index.knn_query(q, k=k, num_threads=1)[0]

    def search_one(self, q, k):
        return self.index.knn_query(q, k=k, num_threads=1)[0][0]

    def prepare_tenants(self, tenant_of):
        # A Python list indexes faster from a callback than a numpy array does.
        self.tenant_of = tenant_of.tolist()

    def search_tenant(self, q, k, tenant):
        # hnswlib's filter functor: called from C++ for every candidate the graph walk meets.
        owner = self.tenant_of
        labels, _ = self.index.knn_query(q, k=k, num_threads=1,
                                         filter=lambda label: owner[label] == tenant)
        return labels[0]


class Faiss:
    """faiss-cpu IndexHNSWFlat with METRIC_INNER_PRODUCT."""

    name = "faiss"

    def build(self, x, m, ef_construction, threads):
        import faiss
        faiss.omp_set_num_threads(threads)
        self.index = faiss.IndexHNSWFlat(x.shape[1], m, faiss.METRIC_INNER_PRODUCT)
        self.index.hnsw.efConstruction = ef_construction
        self.index.add(x)

    def save(self, path):
        import faiss
        faiss.write_index(self.index, path)

    def load(self, path, dim):
        import faiss
        faiss.omp_set_num_threads(1)
        self.index = faiss.read_index(path)

    def set_ef(self, ef):
        self.index.hnsw.efSearch = ef

    def search(self, q, k):
        return self.index.search(q, k)[1]

    def search_one(self, q, k):
        return self.index.search(q[None, :], k)[1][0]

    def prepare_tenants(self, tenant_of):
        # One IDSelectorBatch and one parameter block per tenant, made before any timing.
        import faiss
        order = np.argsort(tenant_of, kind="stable")
        bounds = np.searchsorted(tenant_of[order], np.arange(int(tenant_of.max()) + 2))
        self.params = {}
        for t in range(len(bounds) - 1):
            ids = order[bounds[t]:bounds[t + 1]].astype(np.int64)
            sel = faiss.IDSelectorBatch(ids)
            params = faiss.SearchParametersHNSW(sel=sel, efSearch=self.index.hnsw.efSearch)
            self.params[t] = (params, sel, ids)  # keep sel and ids alive with params

    def search_tenant(self, q, k, tenant):
        return self.index.search(q[None, :], k, params=self.params[tenant][0])[1][0]


class Usearch:
    """usearch, f32 storage, no quantisation."""

    name = "usearch"

    def build(self, x, m, ef_construction, threads):
        from usearch.index import Index
        self.index = Index(ndim=x.shape[1], metric="ip", dtype="f32", connectivity=m,
                           expansion_add=ef_construction)
        self.index.add(np.arange(len(x), dtype=np.uint64), x, threads=threads)

    def save(self, path):
        self.index.save(path)

    def load(self, path, dim):
        from usearch.index import Index
        self.index = Index.restore(path, view=False)

    def set_ef(self, ef):
        self.index.expansion_search = ef

    def search(self, q, k):
        matches = self.index.search(q, k, threads=1)
        return matches.keys.astype(np.int64)

    def search_one(self, q, k):
        return self.index.search(q, k, threads=1).keys.astype(np.int64)


class ExactScan:
    """The floor for tenant search: numpy over just the tenant's vectors, gathered up front
    into one contiguous block per tenant (what a store ordered by user would hand a scan)."""

    name = "exact-scan"

    def prepare(self, base, tenant_of):
        order = np.argsort(tenant_of, kind="stable")
        bounds = np.searchsorted(tenant_of[order], np.arange(int(tenant_of.max()) + 2))
        self.blocks = {}
        for t in range(len(bounds) - 1):
            ids = order[bounds[t]:bounds[t + 1]]
            self.blocks[t] = (np.ascontiguousarray(base[ids], dtype=np.float32), ids)

    def search_tenant(self, q, k, tenant):
        block, ids = self.blocks[tenant]
        scores = block @ q
        if len(scores) > k:
            top = np.argpartition(-scores, k - 1)[:k]
        else:
            top = np.arange(len(scores))
        return ids[top[np.argsort(-scores[top])]]


ENGINES = {cls.name: cls for cls in (Hnswlib, Faiss, Usearch)}
