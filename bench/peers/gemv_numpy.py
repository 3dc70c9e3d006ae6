"""numpy peer for bench/gemv.mjs: float32 matvec (W @ x) and matmul (A @ W.T, A [M, K]) on the
same shapes, median seconds of several calls. argv: M then shapes NxK. Prints JSON: per shape
matvec and matmul seconds, and the BLAS and thread count numpy used."""
import json
import os
import sys
import time

import numpy as np


def median_time(fn, reps=9, min_s=0.5):
    fn()
    ts = []
    t0 = time.perf_counter()
    while len(ts) < reps or time.perf_counter() - t0 < min_s:
        a = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - a)
        if len(ts) >= 200:
            break
    ts.sort()
    return ts[len(ts) // 2]


def blas_threads():
    """OpenBLAS core kernel and thread count, read from numpy's bundled library."""
    import ctypes
    import glob

    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "libscipy_openblas*.so"))
    try:
        b = ctypes.CDLL(libs[0])
        core = b.scipy_openblas_get_corename64_
        core.restype = ctypes.c_char_p
        return {"openblas_core": core().decode(), "threads": b.scipy_openblas_get_num_threads64_()}
    except Exception as e:  # another BLAS build
        return {"openblas_core": f"unknown ({e.__class__.__name__})", "threads": os.cpu_count()}


def main():
    m = int(sys.argv[1])
    out = {"numpy": np.__version__, "blas": blas_threads(), "shapes": []}
    rng = np.random.default_rng(1)
    for shape in sys.argv[2:]:
        n, k = (int(v) for v in shape.split("x"))
        w = (rng.standard_normal((n, k), dtype=np.float32) * 0.02).astype(np.float32)
        x = rng.standard_normal(k, dtype=np.float32)
        a = rng.standard_normal((m, k), dtype=np.float32)
        y = np.empty(n, dtype=np.float32)
        mv = median_time(lambda: np.matmul(w, x, out=y))
        c = np.empty((m, n), dtype=np.float32)
        mm = median_time(lambda: np.matmul(a, w.T, out=c), reps=5)
        out["shapes"].append({"n": n, "k": k, "m": m, "matvec_s": mv, "matmul_s": mm})
        del w
    print(json.dumps(out))


main()
