/** Small statistics for interleaved benchmark rounds: medians and spreads of paired ratios. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  /** Half the distance between the 25th and 75th percentile, relative to the median. */
  spread: number;
  n: number;
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of an empty list');
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

export function summarize(values: number[]): Summary {
  const s = [...values].sort((x, y) => x - y);
  const median = quantile(s, 0.5);
  return {
    median,
    min: s[0]!,
    max: s[s.length - 1]!,
    spread: (quantile(s, 0.75) - quantile(s, 0.25)) / 2 / median,
    n: s.length,
  };
}
