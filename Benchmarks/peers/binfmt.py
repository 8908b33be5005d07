"""Readers and writers for the big-ann-benchmarks binary formats.

.fbin   u32 count, u32 dim, then count*dim little-endian float32
.ibin   u32 count, u32 k,   then count*k   little-endian int32 (missing slots are -1)
.u32bin u32 count, u32 1,   then count     little-endian uint32
"""

import os

import numpy as np

_DTYPES = {".fbin": "<f4", ".ibin": "<i4", ".u32bin": "<u4"}


def _dtype_for(path):
    for suffix, dtype in _DTYPES.items():
        if path.endswith(suffix):
            return np.dtype(dtype)
    raise ValueError(f"{path}: unknown extension (want .fbin, .ibin or .u32bin)")


def read(path, mmap=False):
    """Returns the file's rows as a (count, dim) array, or a (count,) array for .u32bin."""
    dtype = _dtype_for(path)
    header = np.fromfile(path, dtype="<u4", count=2)
    if header.size != 2:
        raise ValueError(f"{path}: shorter than its 8-byte header")
    count, dim = int(header[0]), int(header[1])
    expected = 8 + count * dim * dtype.itemsize
    if os.path.getsize(path) != expected:
        raise ValueError(f"{path}: {os.path.getsize(path)} bytes, header says {expected}")
    if mmap:
        rows = np.memmap(path, dtype=dtype, mode="r", offset=8, shape=(count, dim))
    else:
        rows = np.fromfile(path, dtype=dtype, offset=8).reshape(count, dim)
    return rows[:, 0] if path.endswith(".u32bin") else rows


def write(path, rows):
    """Writes a 2-d array (or a 1-d one for .u32bin) atomically: a crash leaves no half file."""
    dtype = _dtype_for(path)
    rows = np.asarray(rows)
    if rows.ndim == 1:
        rows = rows.reshape(-1, 1)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        np.array(rows.shape, dtype="<u4").tofile(f)
        np.ascontiguousarray(rows, dtype=dtype).tofile(f)
    os.replace(tmp, path)


class StreamWriter:
    """Writes an .fbin in chunks, for data sets too big to hold twice in memory."""

    def __init__(self, path, count, dim):
        self.path, self.count, self.dim = path, count, dim
        self.tmp = path + ".tmp"
        self.file = open(self.tmp, "wb")
        np.array([count, dim], dtype="<u4").tofile(self.file)
        self.written = 0

    def append(self, rows):
        assert rows.shape[1] == self.dim
        np.ascontiguousarray(rows, dtype="<f4").tofile(self.file)
        self.written += rows.shape[0]

    def close(self):
        self.file.close()
        if self.written != self.count:
            raise ValueError(f"{self.path}: wrote {self.written} rows, promised {self.count}")
        os.replace(self.tmp, self.path)


def read_header(path):
    """(count, dim) from a file's 8-byte header, without reading the rows."""
    count, dim = np.fromfile(path, dtype="<u4", count=2)
    return int(count), int(dim)
