// Timing for the benchmarks: the median of many timed calls, after an untimed warm-up.

/** Median time of one synchronous call, in microseconds. */
export function measure(fn, { iterations, warmup = Math.max(3, Math.ceil(iterations / 10)) }) {
  for (let i = 0; i < warmup; i++) fn();
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return median(samples);
}

/** Median time of one awaited call, in microseconds. */
export async function measureAsync(fn, { iterations, warmup = Math.max(3, Math.ceil(iterations / 10)) }) {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return median(samples);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export const round = (x) => Math.round(x * 100) / 100;
