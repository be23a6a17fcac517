// A deterministic byte mutator in the style of libFuzzer's (bit flips, interesting bytes, inserts,
// erasures, range copies, cross-over with another corpus entry, dictionary tokens). Jazzer.js 4.0's
// prebuilt addon needs glibc 2.38 and this machine has 2.36, so the engine in engine.ts drives this
// mutator itself; see docs/hardening.md "Fuzzing".

/** xorshift32: a tiny PRNG so that a seed reproduces a whole run. */
export interface Rng {
  next(): number;
  /** Uniform integer in [0, n). */
  below(n: number): number;
}

export function createRng(seed: number): Rng {
  let s = seed >>> 0 || 0x9e3779b9;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return { next, below: (n) => (n <= 1 ? 0 : next() % n) };
}

// Bytes that tend to sit on parser branches: line ends, separators, quotes, XML and MIME markup.
const INTERESTING = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x25, 0x26, 0x2c, 0x2f, 0x30, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x5b, 0x5c, 0x5d, 0x7f, 0x80, 0xc0, 0xe2, 0xef, 0xff];

export interface MutateContext {
  readonly rng: Rng;
  /** Other inputs to cross over with. */
  readonly corpus: readonly Uint8Array[];
  /** Tokens of the input language (header names, XML names, entity syntax...). */
  readonly dictionary: readonly Uint8Array[];
  readonly maxLength: number;
}

function insert(data: Uint8Array, at: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + bytes.length);
  out.set(data.subarray(0, at), 0);
  out.set(bytes, at);
  out.set(data.subarray(at), at + bytes.length);
  return out;
}

function erase(data: Uint8Array, at: number, n: number): Uint8Array {
  const out = new Uint8Array(data.length - n);
  out.set(data.subarray(0, at), 0);
  out.set(data.subarray(at + n), at);
  return out;
}

/** One mutation step; `mutate` stacks 1–8 of them. Never returns the input object itself. */
function step(data: Uint8Array, ctx: MutateContext): Uint8Array {
  const { rng } = ctx;
  const len = data.length;
  const pos = (): number => rng.below(len + 1);
  switch (rng.below(9)) {
    case 0: { // flip a bit
      if (len === 0) return Uint8Array.of(rng.below(256));
      const out = data.slice();
      const i = rng.below(len);
      out[i] = out[i]! ^ (1 << rng.below(8));
      return out;
    }
    case 1: { // set an interesting byte
      if (len === 0) return Uint8Array.of(INTERESTING[rng.below(INTERESTING.length)]!);
      const out = data.slice();
      out[rng.below(len)] = INTERESTING[rng.below(INTERESTING.length)]!;
      return out;
    }
    case 2: { // insert random bytes
      const n = 1 + rng.below(8);
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) bytes[i] = rng.below(256);
      return insert(data, pos(), bytes);
    }
    case 3: { // erase a range
      if (len === 0) return data.slice();
      const at = rng.below(len);
      return erase(data, at, 1 + rng.below(Math.min(len - at, 64)));
    }
    case 4: { // duplicate a range (repetition: long lines, many headers, deep nesting)
      if (len === 0) return data.slice();
      const at = rng.below(len);
      const n = 1 + rng.below(Math.min(len - at, 256));
      const copies = 1 + rng.below(rng.below(4) === 0 ? 64 : 3);
      let out = data;
      const chunk = data.slice(at, at + n);
      for (let i = 0; i < copies && out.length + n <= ctx.maxLength; i++) out = insert(out, at, chunk);
      return out === data ? data.slice() : out;
    }
    case 5: { // cross over: a piece of another input
      const other = ctx.corpus[rng.below(ctx.corpus.length)];
      if (other === undefined || other.length === 0) return data.slice();
      const at = rng.below(other.length);
      return insert(data, pos(), other.subarray(at, at + 1 + rng.below(Math.min(other.length - at, 512))));
    }
    case 6: { // splice: head of this input, tail of another
      const other = ctx.corpus[rng.below(ctx.corpus.length)];
      if (other === undefined) return data.slice();
      const cut = pos();
      const from = rng.below(other.length + 1);
      const out = new Uint8Array(cut + other.length - from);
      out.set(data.subarray(0, cut), 0);
      out.set(other.subarray(from), cut);
      return out;
    }
    case 7: // insert a dictionary token
    case 8: {
      const token = ctx.dictionary[rng.below(ctx.dictionary.length)];
      if (token === undefined) return data.slice();
      return insert(data, pos(), token);
    }
    default:
      return data.slice();
  }
}

export function mutate(data: Uint8Array, ctx: MutateContext): Uint8Array {
  let out = data;
  const steps = 1 + ctx.rng.below(8);
  for (let i = 0; i < steps; i++) out = step(out, ctx);
  return out.length > ctx.maxLength ? out.subarray(0, ctx.maxLength) : out;
}
