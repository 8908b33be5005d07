"""Writes a version-1 copy of a version-2 CHNSW index file (drops the walk records), so a
search_qps built from an older engine (which reads version 1 only) can be A/B-timed on the
same graph. Version 2 is persist.c's layout; the header CRC is CRC-32C of its first 60 bytes.

  python3 Benchmarks/engine/downgrade_v1.py IN.chnsw OUT.chnsw
"""
import struct
import sys


def crc32c(data):
    crc = 0xFFFFFFFF
    table = [0] * 256
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
        table[i] = c
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, "rb") as f:
        image = bytearray(f.read())
    version, = struct.unpack_from("<I", image, 8)
    assert image[:8] == b"CHNSWIX\0" and version == 2, "not a version-2 CHNSW file"
    nodes, = struct.unpack_from("<Q", image, 32)
    record, = struct.unpack_from("<I", image, 56)
    end = len(image) - (8 + nodes * record + 4)
    struct.pack_into("<II", image, 8, 1, struct.unpack_from("<I", image, 12)[0])
    struct.pack_into("<I", image, 56, 0)
    struct.pack_into("<I", image, 60, crc32c(bytes(image[:60])))
    with open(dst, "wb") as f:
        f.write(image[:end])


if __name__ == "__main__":
    main()
