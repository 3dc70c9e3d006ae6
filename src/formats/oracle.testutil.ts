/**
 * @module formats/oracle (tests only)
 * An independent oracle for the element formats. Values come from the formats' written
 * descriptions, built as bit strings (not from the implementation's decoder), and encoding is
 * brute force over the sorted list of values. Nothing here imports the implementation.
 */

export interface OracleFormat {
  name: string;
  bits: number;
  /** code → value (NaN and ±Infinity included). */
  values: Map<number, number>;
  /** The value the grid would have next after the largest finite one (the overflow point). */
  next: number;
  infCode: number | null;
  nanCode: number | null;
  signedNan: boolean;
  signed: boolean;
}

const bin = (n: number, w: number) => (w === 0 ? '' : n.toString(2).padStart(w, '0'));

/** IEEE-style minifloat from its description. */
function minifloat(
  name: string,
  e: number,
  m: number,
  opts: { bias?: number; specials: 'ieee' | 'fn' | 'fnuz' | 'finite'; next: number },
): OracleFormat {
  const bias = opts.bias ?? 2 ** (e - 1) - 1;
  const values = new Map<number, number>();
  for (const s of ['0', '1']) {
    for (let ex = 0; ex < 2 ** e; ex++) {
      for (let mm = 0; mm < 2 ** m; mm++) {
        const code = Number.parseInt(s + bin(ex, e) + bin(mm, m), 2);
        const sign = s === '1' ? -1 : 1;
        const allOnesExp = ex === 2 ** e - 1;
        let v: number;
        if (opts.specials === 'ieee' && allOnesExp) v = mm === 0 ? sign * Infinity : Number.NaN;
        else if (opts.specials === 'fn' && allOnesExp && mm === 2 ** m - 1) v = Number.NaN;
        else if (opts.specials === 'fnuz' && s === '1' && ex === 0 && mm === 0) v = Number.NaN;
        else if (ex === 0) v = sign * (mm / 2 ** m) * 2 ** (1 - bias);
        else v = sign * (1 + mm / 2 ** m) * 2 ** (ex - bias);
        values.set(code, v);
      }
    }
  }
  const nan =
    opts.specials === 'ieee'
      ? Number.parseInt('0' + '1'.repeat(e) + '1' + '0'.repeat(m - 1), 2)
      : opts.specials === 'fn'
        ? 2 ** (1 + e + m - 1) - 1
        : opts.specials === 'fnuz'
          ? 2 ** (e + m)
          : null;
  return {
    name,
    bits: 1 + e + m,
    values,
    next: opts.next,
    infCode: opts.specials === 'ieee' ? Number.parseInt('0' + '1'.repeat(e) + '0'.repeat(m), 2) : null,
    nanCode: nan,
    signedNan: opts.specials === 'ieee' || opts.specials === 'fn',
    signed: true,
  };
}

function e8m0(): OracleFormat {
  const values = new Map<number, number>();
  for (let b = 0; b < 255; b++) values.set(b, 2 ** (b - 127));
  values.set(255, Number.NaN);
  return {
    name: 'e8m0',
    bits: 8,
    values,
    next: 2 ** 128,
    infCode: null,
    nanCode: 255,
    signedNan: false,
    signed: false,
  };
}

/** HiF8 from the paper's dot table, one row at a time, as bit strings. */
function hif8(): OracleFormat {
  const values = new Map<number, number>();
  const rows: { dot: string; d: number; mb: number }[] = [
    { dot: '11', d: 4, mb: 1 },
    { dot: '10', d: 3, mb: 2 },
    { dot: '01', d: 2, mb: 3 },
    { dot: '001', d: 1, mb: 3 },
  ];
  for (const s of ['0', '1']) {
    const sign = s === '1' ? -1 : 1;
    for (const { dot, d, mb } of rows) {
      for (const es of ['0', '1']) {
        for (let eb = 0; eb < 2 ** (d - 1); eb++) {
          for (let mm = 0; mm < 2 ** mb; mm++) {
            const code = Number.parseInt(s + dot + es + bin(eb, d - 1) + bin(mm, mb), 2);
            const mag = 2 ** (d - 1) + eb;
            const E = es === '1' ? -mag : mag;
            values.set(code, sign * (1 + mm / 2 ** mb) * 2 ** E);
          }
        }
      }
    }
    for (let mm = 0; mm < 8; mm++)
      values.set(Number.parseInt(s + '0001' + bin(mm, 3), 2), sign * (1 + mm / 8));
    for (let mm = 1; mm < 8; mm++)
      values.set(Number.parseInt(s + '0000' + bin(mm, 3), 2), sign * 2 ** (mm - 23));
  }
  values.set(0x00, 0);
  values.set(0x80, Number.NaN);
  values.set(0x6f, Infinity); // the would-be 1.5 * 2^15
  values.set(0xef, -Infinity);
  return {
    name: 'hif8',
    bits: 8,
    values,
    next: 49152,
    infCode: 0x6f,
    nanCode: 0x80,
    signedNan: false,
    signed: true,
  };
}

/**
 * HiFloat4, written out code by code from hicann/opbase include/nnopbase/opdev/hifloat4.h:
 * 0x1..0x3 denormals 0.25, 0.5, 0.75; 0x4..0x7 normals 1.0 to 1.75; bit 3 the sign (0x8 is -0);
 * no NaN, no Inf. The next value past 1.75 on the grid would be 2.
 */
function hif4(): OracleFormat {
  const positive = [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75];
  const values = new Map<number, number>();
  positive.forEach((v, c) => {
    values.set(c, v);
    values.set(c | 8, -v);
  });
  return {
    name: 'hif4',
    bits: 4,
    values,
    next: 2,
    infCode: null,
    nanCode: null,
    signedNan: false,
    signed: true,
  };
}

/**
 * E6M2, the HiFloat4 block scale, from the reference library's description
 * (global-computing-consortium/HiFloat4 BF16_to_E6MX): 6 exponent bits with offset 48 and
 * 2 mantissa bits, 2^[-48, 15] * 1.M2 with no zero and no denormals, 2^15 * 1.75 (all ones) NaN.
 */
function e6m2(): OracleFormat {
  const values = new Map<number, number>();
  for (let ex = 0; ex < 64; ex++) {
    for (let mm = 0; mm < 4; mm++) {
      const code = Number.parseInt(bin(ex, 6) + bin(mm, 2), 2);
      values.set(code, code === 0xff ? Number.NaN : (1 + mm / 4) * 2 ** (ex - 48));
    }
  }
  return {
    name: 'e6m2',
    bits: 8,
    values,
    next: 1.75 * 2 ** 15,
    infCode: null,
    nanCode: 0xff,
    signedNan: false,
    signed: false,
  };
}

/** The oracle formats; `next` is written out by hand from each format's description. */
export const ORACLE: Record<string, OracleFormat> = {
  e4m3fn: minifloat('e4m3fn', 4, 3, { specials: 'fn', next: 480 }),
  e5m2: minifloat('e5m2', 5, 2, { specials: 'ieee', next: 65536 }),
  e4m3fnuz: minifloat('e4m3fnuz', 4, 3, { bias: 8, specials: 'fnuz', next: 256 }),
  e5m2fnuz: minifloat('e5m2fnuz', 5, 2, { bias: 16, specials: 'fnuz', next: 65536 }),
  e8m0: e8m0(),
  e2m3: minifloat('e2m3', 2, 3, { specials: 'finite', next: 8 }),
  e3m2: minifloat('e3m2', 3, 2, { specials: 'finite', next: 32 }),
  e2m1: minifloat('e2m1', 2, 1, { specials: 'finite', next: 8 }),
  bf16: minifloat('bf16', 8, 7, { specials: 'ieee', next: 2 ** 128 }),
  fp16: minifloat('fp16', 5, 10, { specials: 'ieee', next: 65536 }),
  hif8: hif8(),
  hif4: hif4(),
  e6m2: e6m2(),
};

export interface OracleOptions {
  rounding: 'nearest-even' | 'nearest-away' | 'nearest-zero' | 'toward-zero' | 'up' | 'down';
  overflow: 'nonfinite' | 'saturate';
  nanCode?: number | null;
  negativeZero?: 'keep' | 'positive';
  negative?: 'nan' | 'magnitude';
  zero?: 'nan' | 'min';
  subnormalInput?: 'round' | 'ceil';
  codeRange?: readonly [number, number] | null;
}

interface Prepared {
  fmt: OracleFormat;
  mags: number[]; // sorted non-negative finite magnitudes, then `next`
  codeOf: Map<number, number>; // magnitude → code (positive); 0 → +0
  negCodeOf: Map<number, number>; // magnitude → code of -magnitude
  maxCode: number;
  minCode: number;
}

const prepared = new Map<string, Prepared>();

export function prepare(fmt: OracleFormat): Prepared {
  let p = prepared.get(fmt.name);
  if (p) return p;
  const codeOf = new Map<number, number>();
  const negCodeOf = new Map<number, number>();
  for (const [c, v] of fmt.values) {
    if (!Number.isFinite(v)) continue;
    if (v > 0 || Object.is(v, 0)) codeOf.set(v, c);
    if (v < 0 || Object.is(v, -0)) negCodeOf.set(-v, c);
  }
  const mags = [...codeOf.keys()].sort((a, b) => a - b);
  const max = mags[mags.length - 1]!;
  p = {
    fmt,
    mags: [...mags, fmt.next],
    codeOf,
    negCodeOf,
    maxCode: codeOf.get(max)!,
    minCode: codeOf.get(mags[0]!)!,
  };
  prepared.set(fmt.name, p);
  return p;
}

/** Brute-force encoding of x under the options. `nanNegative` is the sign of a NaN input. */
export function oracleEncode(fmt: OracleFormat, x: number, o: OracleOptions, nanNegative = false): number {
  const code = oracleUnclamped(fmt, x, o, nanNegative);
  const r = o.codeRange;
  return r ? Math.min(Math.max(code, r[0]), r[1]) : code;
}

function oracleUnclamped(fmt: OracleFormat, x: number, o: OracleOptions, nanNegative: boolean): number {
  const p = prepare(fmt);
  const signBit = fmt.signed ? 2 ** (fmt.bits - 1) : 0;
  const nan = (neg: boolean) => {
    if (o.nanCode !== undefined && o.nanCode !== null) return o.nanCode;
    if (fmt.nanCode === null) return p.negCodeOf.get(0) ?? 0; // no NaN: -0 (ml_dtypes)
    return neg && fmt.signedNan ? fmt.nanCode + signBit : fmt.nanCode;
  };
  if (Number.isNaN(x)) return nan(nanNegative);
  let neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  if (!fmt.signed) {
    if (neg && a !== 0 && (o.negative ?? 'nan') === 'nan') return nan(false);
    neg = false;
  }
  const withSign = (mag: number) => {
    if (mag === 0) {
      if (!p.codeOf.has(0)) return p.minCode;
      if (neg && (o.negativeZero ?? 'keep') === 'keep' && p.negCodeOf.has(0)) return p.negCodeOf.get(0)!;
      return p.codeOf.get(0)!;
    }
    return neg ? p.negCodeOf.get(mag)! : p.codeOf.get(mag)!;
  };
  const overflow = () => {
    if (o.overflow === 'saturate') return neg ? p.negCodeOf.get(p.mags[p.mags.length - 2]!)! : p.maxCode;
    if (fmt.infCode !== null) return neg ? fmt.infCode + signBit : fmt.infCode;
    if (fmt.nanCode !== null) return nan(neg);
    return neg ? p.negCodeOf.get(p.mags[p.mags.length - 2]!)! : p.maxCode;
  };
  if (a === 0 && !p.codeOf.has(0)) return (o.zero ?? 'nan') === 'nan' ? nan(false) : p.minCode;
  if (a === Infinity) return overflow();
  type Dir = 'ne' | 'na' | 'nz' | 'tz' | 'away';
  let dir: Dir =
    o.rounding === 'nearest-even'
      ? 'ne'
      : o.rounding === 'nearest-away'
        ? 'na'
        : o.rounding === 'nearest-zero'
          ? 'nz'
          : o.rounding === 'toward-zero'
            ? 'tz'
            : (o.rounding === 'up') !== neg
              ? 'away'
              : 'tz';
  if ((o.subnormalInput ?? 'round') === 'ceil' && a < 2 ** -126) dir = 'away';
  const mags = p.mags;
  const maxMag = mags[mags.length - 2]!;
  if (a < mags[0]!) return withSign(mags[0]!); // below the smallest value of a zero-less format
  // brute force: largest value <= a
  let i = 0;
  let j = mags.length - 1;
  if (mags[j]! <= a) i = j;
  else {
    while (j - i > 1) {
      const k = (i + j) >> 1;
      if (mags[k]! <= a) i = k;
      else j = k;
    }
  }
  const lo = mags[i]!;
  if (lo === a && i < mags.length - 1) return withSign(a);
  if (i === mags.length - 1) {
    // a >= next: beyond every rounding point
    return dir === 'tz' ? withSign(maxMag) : overflow();
  }
  const hi = mags[i + 1]!;
  let pick: number;
  if (dir === 'tz') pick = lo;
  else if (dir === 'away') pick = hi;
  else {
    const dl = a - lo;
    const dh = hi - a;
    if (dl < dh) pick = lo;
    else if (dh < dl) pick = hi;
    else if (dir === 'na') pick = hi;
    else if (dir === 'nz') pick = lo;
    else pick = (lo / (hi - lo)) % 2 === 0 ? lo : hi; // the even significand
  }
  if (pick === fmt.next) return overflow();
  return withSign(pick);
}

const f = new Float32Array(1);
const u = new Uint32Array(f.buffer);

/** The float32 values one ulp below and above x (x itself a float32). */
export function f32Neighbours(x: number): [number, number] {
  f[0] = x;
  const b = u[0]!;
  const out: number[] = [];
  for (const d of [-1, 1]) {
    const nb = x === 0 ? (d > 0 ? 1 : 0x80000001) : x > 0 ? b + d : b - d;
    u[0] = nb >>> 0;
    out.push(f[0]!);
  }
  return [out[0]!, out[1]!];
}

const points = new Map<string, readonly number[]>();

/**
 * Every test point of a format: values, midpoints, and the float32s either side of each midpoint.
 * Computed once per format (the 16-bit formats have about 260,000) and shared: do not modify.
 */
export function testPoints(fmt: OracleFormat): readonly number[] {
  let all = points.get(fmt.name);
  if (!all) {
    all = computeTestPoints(fmt);
    points.set(fmt.name, all);
  }
  return all;
}

function computeTestPoints(fmt: OracleFormat): number[] {
  const mags = prepare(fmt).mags;
  const pts = new Set<number>();
  for (let i = 0; i < mags.length; i++) {
    pts.add(mags[i]!);
    if (i + 1 < mags.length) {
      const mid = (mags[i]! + mags[i + 1]!) / 2;
      f[0] = mid;
      if (f[0] !== mid) throw new Error(`midpoint ${mid} of ${fmt.name} is not a float32`);
      pts.add(mid);
      for (const n of f32Neighbours(mid)) pts.add(n);
    }
  }
  for (const n of f32Neighbours(mags[0]!)) if (n >= 0) pts.add(n);
  for (const v of [fmt.next * 1.5, fmt.next * 4, 2 ** -140, 2 ** -127, 1.5 * 2 ** -127, 2 ** -149, 3e38]) {
    f[0] = v;
    if (Number.isFinite(f[0]!)) pts.add(f[0]!);
  }
  const all: number[] = [];
  for (const v of pts) {
    all.push(v, -v);
  }
  all.push(Infinity, -Infinity, Number.NaN);
  return all;
}
