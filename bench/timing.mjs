// Timing for the benchmarks: medians of many timed calls, after an untimed warm-up, with the
// sides of a ratio timed in alternating rounds.

/** Median time of one synchronous call, in microseconds. */
export function measure(fn, { iterations, warmup = Math.max(3, Math.ceil(iterations / 10)) }) {
  for (let i = 0; i < warmup; i++) fn();
  return median(samples(fn, iterations, 0));
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export const round = (x) => Math.round(x * 100) / 100;

/**
 * Medians of `ours` and `peer`, in microseconds, measured in alternating rounds so that a
 * change in machine load (a shared 2-core VM) hits both sides of the ratio alike.
 */
export function compare(ours, peer, { iterations, peerIterations = iterations, rounds = 5 }) {
  const { ours: a, peer: b } = compareAll({ ours, peer }, { iterations: { ours: iterations, peer: peerIterations }, rounds });
  return [a, b];
}

/**
 * Medians (us) of every function of `fns` ({name: fn}), timed in alternating rounds.
 * `iterations` is a number or {name: number}. Warm-up first: V8 runs new wasm code in its
 * baseline tier until the optimised code, compiled in the background, is ready.
 */
export function compareAll(fns, { iterations, rounds = 5 }) {
  const names = Object.keys(fns);
  const count = (name) => (typeof iterations === 'number' ? iterations : iterations[name]);
  for (const name of names) for (let i = 0; i < Math.max(5, Math.ceil(count(name) / 4)); i++) fns[name]();
  const all = Object.fromEntries(names.map((name) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      const n = Math.ceil(count(name) / rounds);
      all[name].push(...samples(fns[name], n, Math.max(2, Math.ceil(n / 10))));
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(all[name])]));
}

/** As `compareAll`, for functions returning promises (each call awaited alone). */
export async function compareAllAsync(fns, { iterations, rounds = 5 }) {
  const names = Object.keys(fns);
  const count = (name) => (typeof iterations === 'number' ? iterations : iterations[name]);
  for (const name of names) for (let i = 0; i < Math.max(5, Math.ceil(count(name) / 4)); i++) await fns[name]();
  const all = Object.fromEntries(names.map((name) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      const n = Math.ceil(count(name) / rounds);
      for (let i = 0; i < Math.max(2, Math.ceil(n / 10)); i++) await fns[name]();
      for (let i = 0; i < n; i++) {
        const t0 = process.hrtime.bigint();
        await fns[name]();
        all[name].push(Number(process.hrtime.bigint() - t0) / 1000);
      }
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(all[name])]));
}

function samples(fn, iterations, warmup) {
  for (let i = 0; i < warmup; i++) fn();
  const out = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return out;
}
