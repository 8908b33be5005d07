"""The two synthetic vector distributions, both unit-normalised.

realistic  Looks like sentence embeddings: a shared mean direction (anisotropy), a mixture of
           topics, and per-direction variances that decay as a power law, so most of the energy
           sits in a few dozen directions (a low effective rank) with a little isotropic noise.
hard       Gaussian clusters with isotropic spread in all 384 directions: a high intrinsic
           dimension, which is what makes graph search work hard.
lowrank    A mixture of 128 topics inside a random 64-dimensional subspace plus a little
           isotropic noise: a low intrinsic dimension with no power-law tail (issue 20's set).

A model's parameters come from `model_seed`; samples come from a separate generator, so base
vectors and queries are independent draws from the same distribution.
"""

import numpy as np


def _normalise(x):
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


class Realistic:
    def __init__(self, dim, model_seed=1, topics=256, decay=0.5, noise=0.05):
        rng = np.random.default_rng(model_seed)
        # Random orthonormal basis; column i carries variance spectrum[i]**2.
        basis, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
        self.spectrum = (1.0 + np.arange(dim)) ** -decay
        self.mix = (basis * self.spectrum).astype(np.float32)  # dim x dim, columns scaled
        self.topics = rng.standard_normal((topics, dim)).astype(np.float32)
        self.mean = (rng.standard_normal(dim) * 0.3).astype(np.float32) @ self.mix.T
        self.noise = noise / np.sqrt(dim)
        self.dim = dim

    def sample(self, rng, n):
        topic = rng.integers(0, len(self.topics), n)
        # Within a topic the spread is about as large as the distance between topics.
        latent = self.topics[topic] + rng.standard_normal((n, self.dim), dtype=np.float32)
        x = latent @ self.mix.T + self.mean
        x += rng.standard_normal((n, self.dim), dtype=np.float32) * self.noise
        return _normalise(x)


class Hard:
    def __init__(self, dim, model_seed=2, clusters=1000, spread=1.0):
        rng = np.random.default_rng(model_seed)
        self.centres = _normalise(rng.standard_normal((clusters, dim)).astype(np.float32))
        # Per-coordinate sigma chosen so the noise vector's norm is about `spread` x a centre's.
        self.sigma = spread / np.sqrt(dim)
        self.dim = dim

    def sample(self, rng, n):
        which = rng.integers(0, len(self.centres), n)
        x = self.centres[which] + rng.standard_normal((n, self.dim), dtype=np.float32) * self.sigma
        return _normalise(x)


class LowRank:
    def __init__(self, dim, model_seed=3, rank=64, topics=128, noise=0.1):
        rng = np.random.default_rng(model_seed)
        self.basis = np.linalg.qr(rng.standard_normal((dim, rank)))[0].T.astype(np.float32)  # rank x dim
        self.topics = rng.standard_normal((topics, rank)).astype(np.float32)
        self.noise = noise / np.sqrt(dim)
        self.rank, self.dim = rank, dim

    def sample(self, rng, n):
        topic = rng.integers(0, len(self.topics), n)
        latent = self.topics[topic] + rng.standard_normal((n, self.rank), dtype=np.float32) * 0.7
        x = latent @ self.basis / np.sqrt(self.rank)
        x += rng.standard_normal((n, self.dim), dtype=np.float32) * self.noise
        return _normalise(x)


KINDS = {"realistic": Realistic, "hard": Hard, "lowrank": LowRank}
