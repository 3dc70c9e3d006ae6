"""numpy peer for bench/quant.mjs: vectorized block quantization with the same semantics as
chipstack's presets, so both sides do equal work and the codes can be compared.
  deepgemm-token-ue8m0: DeepGEMM per_token_cast_to_fp8(use_ue8m0=True): 1x128 tiles, ceil UE8M0
  torchao-mxfp4-floor:  torchao to_mx FLOOR with FP4 E2M1 elements (RNE, saturating)
argv: input.f32 rows cols prefix -> writes prefix.<scheme>.codes, prints JSON timings."""
import json
import sys
import time

import numpy as np


def e4m3_rne(y):
    """float32 -> E4M3FN codes, RNE, not saturating (values here never exceed 448)."""
    u = y.view(np.uint32)
    sign = ((u >> 24) & 0x80).astype(np.uint8)
    a = u & np.uint32(0x7FFFFFFF)
    af = a.view(np.float32)
    odd = (a >> 20) & 1
    normal = ((a + np.uint32(0xC407FFFF) + odd) >> 20).astype(np.uint32)
    sub = ((af + np.float32(2.0**14)).view(np.uint32) - np.uint32(0x46800000))
    code = np.where(a < 0x3C800000, sub, normal)
    code = np.where(a > 0x43E80000, 0x7F, np.minimum(code, 0x7E))
    code = np.where(a > 0x7F800000, 0x7F, code)
    return code.astype(np.uint8) | sign


def deepgemm_token_ue8m0(x, rows, cols):
    t = x.reshape(rows, cols // 128, 128)
    amax = np.maximum(np.abs(t).max(axis=2), np.float32(1e-4))
    sf = (amax / np.float32(448.0)).astype(np.float32)
    b = sf.view(np.uint32)
    e = ((b >> 23) & 0xFF) + ((b & 0x7FFFFF) != 0)
    e = np.clip(e, 1, 254).astype(np.uint32)
    sf = (e << 23).view(np.float32)
    y = (t * (np.float32(1.0) / sf)[:, :, None]).astype(np.float32)
    return e4m3_rne(y.reshape(-1)), e.astype(np.uint8).reshape(-1)


def torchao_mxfp4_floor(x, rows, cols):
    t = x.reshape(rows, cols // 32, 32)
    amax = np.abs(t).max(axis=2)
    e = ((amax.view(np.uint32) >> 23) & 0xFF).astype(np.int32) - 127 - 2
    e = np.clip(e, -127, 128) + 127
    finite = np.isfinite(amax)
    code = np.where(finite, e, 255).astype(np.int32)
    inv = ((254 - code).clip(1, 254).astype(np.uint32) << 23).view(np.float32)
    y = (t * inv[:, :, None]).astype(np.float32)
    a = np.abs(y)
    c = (
        (a > 0.25).astype(np.uint8)
        + (a >= 0.75)
        + (a > 1.25)
        + (a >= 1.75)
        + (a > 2.5)
        + (a >= 3.5)
        + (a > 5.0)
    ).astype(np.uint8)
    c |= (np.signbit(y).astype(np.uint8) << 3)
    return c.reshape(-1), code.astype(np.uint8).reshape(-1)


def best(fn, reps=3):
    ts = []
    out = None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
    return min(ts), out


def main():
    path, rows, cols, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    x = np.fromfile(path, dtype=np.float32)
    res = {"numpy": np.__version__}
    t, _ = best(lambda: x.copy())
    res["copy_gbps"] = 2 * x.nbytes / t / 1e9
    for name, fn in [("deepgemm-token-ue8m0", deepgemm_token_ue8m0), ("torchao-mxfp4-floor", torchao_mxfp4_floor)]:
        t, (codes, scales) = best(lambda: fn(x, rows, cols))
        codes.tofile(f"{prefix}.{name}.codes")
        scales.tofile(f"{prefix}.{name}.scales")
        res[name] = {"quantize_s": t}
    print(json.dumps(res))


if __name__ == "__main__":
    main()
