/** The normal quantile for a two-sided 95 % interval, as Wilson's published examples use it. */
export const Z_95 = 1.96

export interface Interval {
  lower: number
  upper: number
}

/**
 * The Wilson score interval of a binomial proportion: `k` events in `n` trials, at the confidence
 * whose normal quantile is `z` (E. B. Wilson, 1927; Newcombe, 1998, method 3):
 *
 *   (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n),  p = k/n
 *
 * Unlike p ± z·√(p(1−p)/n) it stays within [0, 1] and does not collapse to a point at 0 of n, which is
 * what a flaky rate mostly is: 0 flaky runs of 30 still says "up to 11 %". No trial says nothing: [0, 1].
 */
export function wilsonInterval(k: number, n: number, z = Z_95): Interval {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n)
    throw new RangeError(`wilsonInterval(${k}, ${n}): need whole numbers with 0 ≤ k ≤ n`)
  if (n === 0) return { lower: 0, upper: 1 }
  const p = k / n
  const z2 = z * z
  const centre = p + z2 / (2 * n)
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))
  const scale = 1 + z2 / n
  // Exact ends at 0 and n, not a rounding error's 1e-17 either side.
  return {
    lower: k === 0 ? 0 : (centre - spread) / scale,
    upper: k === n ? 1 : (centre + spread) / scale,
  }
}
