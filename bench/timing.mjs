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

/**
 * Medians of `ours` and `peer`, in microseconds, measured in alternating rounds so that a
 * change in machine load (shared CI runners) hits both sides of the ratio alike.
 */
export function compare(ours, peer, { iterations, peerIterations = iterations, rounds = 5 }) {
  // Warm-up first: V8 runs new wasm code in its baseline tier until the optimised code,
  // compiled in the background, is ready (slow on a busy 2-core machine).
  for (let i = 0; i < Math.max(5, Math.ceil(iterations / 4)); i++) ours();
  for (let i = 0; i < Math.max(5, Math.ceil(peerIterations / 4)); i++) peer();
  const a = [];
  const b = [];
  for (let r = 0; r < rounds; r++) {
    a.push(...samples(ours, Math.ceil(iterations / rounds)));
    b.push(...samples(peer, Math.ceil(peerIterations / rounds)));
  }
  return [median(a), median(b)];
}

function samples(fn, iterations) {
  for (let i = 0; i < Math.max(2, Math.ceil(iterations / 10)); i++) fn();
  const out = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return out;
}
