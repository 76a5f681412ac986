/**
 * Deterministic pseudo-random numbers in [0, 1) from a seed, for randomised tests whose failures must
 * be reproducible (a failing case is found again with the same seed).
 */
export function seededRandom(seed: number): () => number {
  return () => ((seed = Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
}
