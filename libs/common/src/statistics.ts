// Small statistics shared by the A/B decision (campaigns) and the reports.

/** Φ(x), the standard normal distribution function (Abramowitz & Stegun 7.1.26, |ε| < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Two-sided p-value of "these two rates differ" (pooled two-proportion z-test); null without data. */
export function twoProportionPValue(s1: number, n1: number, s2: number, n2: number): number | null {
  if (n1 === 0 || n2 === 0) {
    return null;
  }
  const p = (s1 + s2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (se === 0) {
    return 1;
  }
  const z = (s1 / n1 - s2 / n2) / se;
  return Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
}
