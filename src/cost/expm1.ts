/**
 * e^x − 1, computed exactly as the kernel computes it: a line-by-line port of
 * AssemblyScript's NativeMath.expm1 (itself musl's expm1.c, after fdlibm). V8's Math.expm1
 * is another fdlibm port that differs in the last bits, and the rework of a sub-task sets its
 * duration, hence every later start: the reference and the kernel must agree bit for bit.
 */

const bits = new DataView(new ArrayBuffer(8));

function highWord(x: number): number {
  bits.setFloat64(0, x);
  return bits.getUint32(0);
}

/** The double with high word `hi` and low word 0. */
function fromHighWord(hi: number): number {
  bits.setUint32(0, hi >>> 0);
  bits.setUint32(4, 0);
  return bits.getFloat64(0);
}

const O_THRESHOLD = 7.09782712893383973096e2;
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INVLN2 = 1.44269504088896338700e0;
const Q1 = -3.33333333333331316428e-2;
const Q2 = 1.58730158725481460165e-3;
const Q3 = -7.93650757867487942473e-5;
const Q4 = 4.00821782732936239552e-6;
const Q5 = -2.01099218183624371326e-7;
const OX1P1023 = 2 ** 1023;

export function expm1(input: number): number {
  let x = input;
  const word = highWord(x);
  const hx = word & 0x7fffffff;
  const sign = word >>> 31;
  let k = 0;
  if (hx >= 0x4043687a) {
    if (Number.isNaN(x)) return x;
    if (sign !== 0) return -1;
    if (x > O_THRESHOLD) return x * OX1P1023;
  }
  let c = 0;
  let t: number;
  if (hx > 0x3fd62e42) {
    k = hx < 0x3ff0a2b2 ? 1 - (sign << 1) : Math.trunc(INVLN2 * x + (x < 0 || Object.is(x, -0) ? -0.5 : 0.5)) | 0;
    t = k;
    const hi = x - t * LN2_HI;
    const lo = t * LN2_LO;
    x = hi - lo;
    c = hi - x - lo;
  } else if (hx < 0x3c900000) return x;
  const hfx = 0.5 * x;
  const hxs = x * hfx;
  const hxq = hxs * hxs;
  const r1 = 1.0 + hxs * Q1 + hxq * (Q2 + hxs * Q3 + hxq * (Q4 + hxs * Q5));
  t = 3.0 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6.0 - x * t));
  if (k === 0) return x - (x * e - hxs);
  e = x * (e - c) - c;
  e -= hxs;
  if (k === -1) return 0.5 * (x - e) - 0.5;
  if (k === 1) {
    if (x < -0.25) return -2.0 * (e - (x + 0.5));
    return 1.0 + 2.0 * (x - e);
  }
  const twopk = fromHighWord((0x3ff + k) << 20);
  let y: number;
  if (k < 0 || k > 56) {
    y = x - e + 1.0;
    if (k === 1024) y = y * 2.0 * OX1P1023;
    else y = y * twopk;
    return y - 1.0;
  }
  y = fromHighWord((0x3ff - k) << 20);
  if (k < 20) y = 1 - y - e;
  else y = 1 - (e + y);
  return (x + y) * twopk;
}
