"""numpy peer for bench/formats.mjs: vectorized float32 <-> code conversions, same semantics as
chipstack's defaults (RNE; e4m3fn non-saturating -> NaN; e2m1 saturating, NaN -> -0; e8m0 as
ml_dtypes; bf16 RNE; hif8 round-half-away as Huawei). Reads raw float32 from argv[1], writes
codes to argv[2].<fmt>.codes and timings as JSON on stdout."""
import json
import sys
import time

import numpy as np


def best(fn, reps=5):
    t = []
    out = None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        t.append(time.perf_counter() - t0)
    return min(t), out


def enc_minifloat(x, mb, bias, maxval, nan_code, sat_code, emin):
    """Round |x| on the binade grid with np.rint (ties to even), then build sign|exp|mantissa."""
    a = np.abs(x).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.floor(np.log2(np.where(a > 0, a, 1.0)))
    e = np.clip(e, emin, None)
    ulp = np.exp2(e - mb)
    v = np.rint(a / ulp) * ulp
    # exponent field and mantissa of the rounded value
    with np.errstate(divide="ignore", invalid="ignore"):
        ev = np.floor(np.log2(np.where(v > 0, v, 1.0)))
    normal = v >= 2.0**emin
    ef = np.where(normal, ev + bias, 0)
    mant = np.where(normal, v / np.exp2(ev - mb) - 2**mb, v / np.exp2(emin - mb))
    code = (ef.astype(np.int32) << mb) | mant.astype(np.int32)
    code = np.where(v > maxval, sat_code, code)
    code = np.where(np.isnan(a), nan_code, code)
    code = np.where(a == np.inf, sat_code, code)
    sign = (np.signbit(x)).astype(np.int32) << (7 if mb == 3 else 3)
    return (code | sign).astype(np.uint8)


def enc_e4m3fn(x):
    return enc_minifloat(x, 3, 7, 448.0, 0x7F, 0x7F, -6)


def enc_e2m1(x):
    c = enc_minifloat(x, 1, 1, 6.0, 0x8, 0x7, 0)
    return np.where(np.isnan(x), np.uint8(0x8), c).astype(np.uint8)


def enc_e8m0(x):
    """ml_dtypes: nearest power of two with 1.5*2^k rounding up; 0, negatives, Inf, NaN -> 0xFF."""
    u = x.view(np.uint32)
    e = (u >> 23) & 0xFF
    m = u & 0x7FFFFF
    r = e + (m >= 0x400000).astype(np.uint32)
    r = np.where(e == 0, np.where(u > 0x400000, 1, 0), r)  # float32 subnormals: ceil
    bad = (x <= 0) | ~np.isfinite(x) | (r > 254)
    return np.where(bad, 0xFF, r).astype(np.uint8)


def enc_bf16(x):
    u = x.view(np.uint32)
    r = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    r = np.where(np.isnan(x), (u >> 16) & 0x8000 | 0x7FC0, r)
    return r.astype(np.uint16)


def _hif8_table():
    vals = []
    for code in range(256):
        vals.append(dec_hif8_scalar(code))
    return np.array(vals, dtype=np.float64)


def dec_hif8_scalar(c):
    if c == 0x80:
        return np.nan
    if c == 0x6F:
        return np.inf
    if c == 0xEF:
        return -np.inf
    s = -1.0 if c & 0x80 else 1.0
    r = c & 0x7F
    if r & 0x60 == 0x60:
        mag, m, mb, es = 8 + ((r >> 1) & 7), r & 1, 1, r & 0x10
    elif r & 0x60 == 0x40:
        mag, m, mb, es = 4 + ((r >> 2) & 3), r & 3, 2, r & 0x10
    elif r & 0x60 == 0x20:
        mag, m, mb, es = 2 + ((r >> 3) & 1), r & 7, 3, r & 0x10
    elif r & 0x10:
        mag, m, mb, es = 1, r & 7, 3, r & 0x08
    elif r & 0x08:
        mag, m, mb, es = 0, r & 7, 3, 0
    else:
        return 0.0 if (r & 7) == 0 else s * 2.0 ** ((r & 7) - 23)
    e = -mag if es else mag
    return s * (1 + m / 2**mb) * 2.0**e


HIF8 = _hif8_table()


def enc_hif8(x):
    """Round half away on the tapered grid: pick the binade's mantissa width, round, look up."""
    a = np.abs(x).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.floor(np.log2(np.where(a > 0, a, 1.0)))
    e = np.clip(e, -23, 15)
    ae = np.abs(e)
    mb = np.where(e <= -16, 0, np.where(ae >= 8, 1, np.where(ae >= 4, 2, 3)))
    ulp = np.where(e <= -23, 2.0**-22, np.exp2(e - mb))
    v = np.floor(a / ulp + 0.5) * ulp
    pos = HIF8[:128]
    order = np.argsort(pos)
    sorted_vals = pos[order]
    idx = np.searchsorted(sorted_vals, v)
    idx = np.clip(idx, 0, 127)
    code = order[idx].astype(np.int32)
    code = np.where(v > 32768, 0x6F, code)
    code = np.where(v == 0, 0, code | (np.signbit(x).astype(np.int32) << 7))
    code = np.where(np.isnan(x), 0x80, code)
    return code.astype(np.uint8)


def lut_f32(values):
    return np.array(values, dtype=np.float32)


def main():
    src = np.fromfile(sys.argv[1], dtype=np.float32)
    prefix = sys.argv[2]
    n = src.size
    res = {"n": int(n), "numpy": np.__version__}
    t, dst = best(lambda: src.copy())
    res["copy_gbps"] = 2 * src.nbytes / t / 1e9
    encoders = {"e4m3fn": enc_e4m3fn, "e2m1": enc_e2m1, "e8m0": enc_e8m0, "bf16": enc_bf16, "hif8": enc_hif8}
    for name, fn in encoders.items():
        x = np.fromfile(f"{prefix}.{name}.in", dtype=np.float32)
        t_enc, codes = best(lambda: fn(x), reps=3)
        codes.tofile(f"{prefix}.{name}.codes")
        if name == "bf16":
            dec = lambda: (codes.astype(np.uint32) << 16).view(np.float32)
        else:
            table = np.fromfile(f"{prefix}.{name}.lut", dtype=np.float32)
            dec = lambda: table[codes]
        t_dec, _ = best(dec, reps=3)
        res[name] = {"encode_s": t_enc, "decode_s": t_dec}
    print(json.dumps(res))


if __name__ == "__main__":
    main()
