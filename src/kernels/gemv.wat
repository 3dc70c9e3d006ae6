;; GEMV / GEMM kernels over block-scaled weights, WebAssembly SIMD128 (hand-written, no relaxed
;; SIMD). W is [N, kp] row-major (kp padded to the block with zero codes); rows [n0, n1) are
;; computed, so threads split N. Every exported kernel ends with (n0 n1 scratch): the worker pool
;; passes each thread its own range and scratch.
;;
;; Activations: fp32 for f32, bf16 and E4M3 (DeepSeek FP8, MXFP8); int8 per 32 (scale amax/127)
;; for FP4 (MXFP4 both nibble orders, NVFP4) and int8 (Q8_0) weights, so their dot products run
;; exactly in the integer domain (i32x4.dot_i16x8_s) and are scaled once per block.
;;
;; E4M3 decode: a byte c becomes float32 bits sign<<31 | (c & 0x7f) << 20, i.e. the value times
;; 2^-120. The 2^120 is not applied per element: x arrives pre-scaled by 2^64 (JS side) and each
;; block sum is multiplied by `corr` = 2^56 and by the block scale, so products stay normal
;; floats (denormal products cost a microcode assist on x86) and no multiply is spent per element.
(module
  ;; Declared unshared (the build's wabt validator refuses shared memories); engine.ts flips the
  ;; limits flag to shared (0x03) in the binary when a worker pool shares the memory.
  (import "env" "memory" (memory 1 65536))

  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; ---------------------------------------------------------------- fp32: 16 per iteration
  ;; per 16 elements: 4 w loads, 4 x loads, 4 mul, 4 add (1 op/element, 4 bytes/element)
  (func (export "gemv_f32")
    (param $w i32) (param $s i32) (param $x i32) (param $xs i32) (param $y i32) (param $kp i32)
    (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32)
    (param $n0 i32) (param $n1 i32) (param $scratch i32)
    (local $n i32) (local $p i32) (local $q i32) (local $end i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $n (local.get $n0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $n) (local.get $n1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (local.get $n) (i32.shl (local.get $kp) (i32.const 2)))))
      (local.set $end (i32.add (local.get $p) (i32.shl (local.get $kp) (i32.const 2))))
      (local.set $q (local.get $x))
      (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
      (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
      (block $e (loop $k
        (br_if $e (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $p)) (v128.load (local.get $q)))))
        (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (local.get $p)) (v128.load offset=16 (local.get $q)))))
        (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load offset=32 (local.get $p)) (v128.load offset=32 (local.get $q)))))
        (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load offset=48 (local.get $p)) (v128.load offset=48 (local.get $q)))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (local.set $q (i32.add (local.get $q) (i32.const 64)))
        (br $k)))
      (f32.store (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 2)))
        (call $hsum (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $rows))))

  ;; ---------------------------------------------------------------- bf16: 16 per iteration
  ;; bf16 -> f32 is a word interleave with zero (punpck); per 16 elements: 2 w loads,
  ;; 4 shuffles, 4 x loads, 4 mul, 4 add (1.1 op/element, 2 bytes/element)
  (func (export "gemv_bf16")
    (param $w i32) (param $s i32) (param $x i32) (param $xs i32) (param $y i32) (param $kp i32)
    (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32)
    (param $n0 i32) (param $n1 i32) (param $scratch i32)
    (local $n i32) (local $p i32) (local $q i32) (local $end i32) (local $v v128) (local $u v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $n (local.get $n0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $n) (local.get $n1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (local.get $n) (i32.shl (local.get $kp) (i32.const 1)))))
      (local.set $end (i32.add (local.get $p) (i32.shl (local.get $kp) (i32.const 1))))
      (local.set $q (local.get $x))
      (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
      (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
      (block $e (loop $k
        (br_if $e (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $u (v128.load offset=16 (local.get $p)))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $q))
          (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (v128.const i32x4 0 0 0 0) (local.get $v)))))
        (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (local.get $q))
          (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (v128.const i32x4 0 0 0 0) (local.get $v)))))
        (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load offset=32 (local.get $q))
          (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (v128.const i32x4 0 0 0 0) (local.get $u)))))
        (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load offset=48 (local.get $q))
          (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (v128.const i32x4 0 0 0 0) (local.get $u)))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (local.set $q (i32.add (local.get $q) (i32.const 64)))
        (br $k)))
      (f32.store (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 2)))
        (call $hsum (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $rows))))

  ;; ---------------------------------------------------------------- E4M3 (DeepSeek FP8, MXFP8)
  ;; p1 = log2(block along K) (5 or 7), p2 = row shift for the scale row (0 or 7),
  ;; p3 = scale columns, p4 = float32 bits of corr (2^56 with x pre-scaled by 2^64).
  ;; per 16 codes: 1 load, 2 byte interleaves (code<<8 per i16), 2 shr_s, 2 and,
  ;; 4 word interleaves (to f32 bits), 4 x loads, 4 mul, 4 add (1.44 op/element, 1 byte/element)
  (func (export "gemv_e4m3")
    (param $w i32) (param $s i32) (param $x i32) (param $xs i32) (param $y i32) (param $kp i32)
    (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32)
    (param $n0 i32) (param $n1 i32) (param $scratch i32)
    (local $n i32) (local $p i32) (local $q i32) (local $end i32) (local $bend i32) (local $sp i32)
    (local $v v128) (local $h0 v128) (local $h1 v128) (local $tot v128) (local $corr f32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $corr (f32.reinterpret_i32 (local.get $p4)))
    (local.set $n (local.get $n0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $n) (local.get $n1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (local.get $n) (local.get $kp))))
      (local.set $end (i32.add (local.get $p) (local.get $kp)))
      (local.set $sp (i32.add (local.get $s)
        (i32.shl (i32.mul (i32.shr_u (local.get $n) (local.get $p2)) (local.get $p3)) (i32.const 2))))
      (local.set $q (local.get $x))
      (local.set $tot (v128.const i32x4 0 0 0 0))
      (block $e (loop $blocks
        (br_if $e (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $bend (i32.add (local.get $p) (i32.shl (i32.const 1) (local.get $p1))))
        (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
        (loop $k
          (local.set $v (v128.load (local.get $p)))
          (local.set $h0 (v128.and (i16x8.shr_s
            (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (v128.const i32x4 0 0 0 0) (local.get $v))
            (i32.const 4)) (v128.const i16x8 0x87f0 0x87f0 0x87f0 0x87f0 0x87f0 0x87f0 0x87f0 0x87f0)))
          (local.set $h1 (v128.and (i16x8.shr_s
            (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (v128.const i32x4 0 0 0 0) (local.get $v))
            (i32.const 4)) (v128.const i16x8 0x87f0 0x87f0 0x87f0 0x87f0 0x87f0 0x87f0 0x87f0 0x87f0)))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $q))
            (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (v128.const i32x4 0 0 0 0) (local.get $h0)))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (local.get $q))
            (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (v128.const i32x4 0 0 0 0) (local.get $h0)))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load offset=32 (local.get $q))
            (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (v128.const i32x4 0 0 0 0) (local.get $h1)))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load offset=48 (local.get $q))
            (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (v128.const i32x4 0 0 0 0) (local.get $h1)))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $q (i32.add (local.get $q) (i32.const 64)))
          (br_if $k (i32.lt_u (local.get $p) (local.get $bend))))
        ;; block sum * corr * scale (two multiplies per block keep the range of both)
        (local.set $tot (f32x4.add (local.get $tot)
          (f32x4.mul
            (f32x4.mul (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3)))
              (f32x4.splat (local.get $corr)))
            (v128.load32_splat (local.get $sp)))))
        (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
        (br $blocks)))
      (f32.store (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 2))) (call $hsum (local.get $tot)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $rows))))

  ;; ---------------------------------------------------------------- FP4 x int8, block 32
  ;; w: 16 packed bytes per 32 elements; low nibbles pair with x[0..16), high with x[16..32)
  ;; of the (pre-permuted) int8 activation block. The swizzle table holds 2*E2M1 as int8; the 1/2
  ;; is folded into the activation scale. xs: float32 scale per 32 activations (times 1/2).
  ;; per 32 elements: 1 load, 1 shr, 2 and, 2 swizzle, 2 x loads, 8 extend, 4 dot, 3 add,
  ;; then convert, 2 scalar loads, 1 scalar mul, splat, mul, add (0.9 op/element, 0.5 byte/element)
  (func (export "gemv_fp4")
    (param $w i32) (param $s i32) (param $x i32) (param $xs i32) (param $y i32) (param $kp i32)
    (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32)
    (param $n0 i32) (param $n1 i32) (param $scratch i32)
    (local $n i32) (local $p i32) (local $q i32) (local $end i32) (local $sp i32) (local $xsp i32)
    (local $v v128) (local $lo v128) (local $hi v128) (local $xa v128) (local $xb v128) (local $d v128)
    (local $tot v128)
    (local.set $n (local.get $n0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $n) (local.get $n1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (local.get $n) (i32.shr_u (local.get $kp) (i32.const 1)))))
      (local.set $end (i32.add (local.get $p) (i32.shr_u (local.get $kp) (i32.const 1))))
      (local.set $sp (i32.add (local.get $s) (i32.shl (i32.mul (local.get $n) (i32.shr_u (local.get $kp) (i32.const 5))) (i32.const 2))))
      (local.set $q (local.get $x))
      (local.set $xsp (local.get $xs))
      (local.set $tot (v128.const i32x4 0 0 0 0))
      (block $e (loop $k
        (br_if $e (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $lo (i8x16.swizzle (v128.const i8x16 0 1 2 3 4 6 8 12 0 -1 -2 -3 -4 -6 -8 -12)
          (v128.and (local.get $v) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))))
        (local.set $hi (i8x16.swizzle (v128.const i8x16 0 1 2 3 4 6 8 12 0 -1 -2 -3 -4 -6 -8 -12)
          (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))))
        (local.set $xa (v128.load (local.get $q)))
        (local.set $xb (v128.load offset=16 (local.get $q)))
        (local.set $d (i32x4.add
          (i32x4.add
            (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $lo)) (i16x8.extend_low_i8x16_s (local.get $xa)))
            (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $lo)) (i16x8.extend_high_i8x16_s (local.get $xa))))
          (i32x4.add
            (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $hi)) (i16x8.extend_low_i8x16_s (local.get $xb)))
            (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $hi)) (i16x8.extend_high_i8x16_s (local.get $xb))))))
        (local.set $tot (f32x4.add (local.get $tot)
          (f32x4.mul (f32x4.convert_i32x4_s (local.get $d))
            (f32x4.splat (f32.mul (f32.load (local.get $sp)) (f32.load (local.get $xsp)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
        (local.set $xsp (i32.add (local.get $xsp) (i32.const 4)))
        (br $k)))
      (f32.store (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 2))) (call $hsum (local.get $tot)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $rows))))

  ;; ---------------------------------------------------------------- NVFP4 x int8, block 16
  ;; gpt-oss nibble order within each 32: low nibbles are even elements, high are odd; the
  ;; low halves of both (elements 0..15) form the first NVFP4 block, the high halves the second.
  ;; per 32 elements: as gemv_fp4 plus one more convert, scale product, mul and add (1.0 op/element)
  (func (export "gemv_nvfp4")
    (param $w i32) (param $s i32) (param $x i32) (param $xs i32) (param $y i32) (param $kp i32)
    (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32)
    (param $n0 i32) (param $n1 i32) (param $scratch i32)
    (local $n i32) (local $p i32) (local $q i32) (local $end i32) (local $sp i32) (local $xsp i32)
    (local $v v128) (local $lo v128) (local $hi v128) (local $xa v128) (local $xb v128)
    (local $da v128) (local $db v128) (local $tot v128) (local $sx f32)
    (local.set $n (local.get $n0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $n) (local.get $n1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (local.get $n) (i32.shr_u (local.get $kp) (i32.const 1)))))
      (local.set $end (i32.add (local.get $p) (i32.shr_u (local.get $kp) (i32.const 1))))
      (local.set $sp (i32.add (local.get $s) (i32.shl (i32.mul (local.get $n) (i32.shr_u (local.get $kp) (i32.const 4))) (i32.const 2))))
      (local.set $q (local.get $x))
      (local.set $xsp (local.get $xs))
      (local.set $tot (v128.const i32x4 0 0 0 0))
      (block $e (loop $k
        (br_if $e (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $lo (i8x16.swizzle (v128.const i8x16 0 1 2 3 4 6 8 12 0 -1 -2 -3 -4 -6 -8 -12)
          (v128.and (local.get $v) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))))
        (local.set $hi (i8x16.swizzle (v128.const i8x16 0 1 2 3 4 6 8 12 0 -1 -2 -3 -4 -6 -8 -12)
          (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))))
        (local.set $xa (v128.load (local.get $q)))
        (local.set $xb (v128.load offset=16 (local.get $q)))
        (local.set $da (i32x4.add
          (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $lo)) (i16x8.extend_low_i8x16_s (local.get $xa)))
          (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $hi)) (i16x8.extend_low_i8x16_s (local.get $xb)))))
        (local.set $db (i32x4.add
          (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $lo)) (i16x8.extend_high_i8x16_s (local.get $xa)))
          (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $hi)) (i16x8.extend_high_i8x16_s (local.get $xb)))))
        (local.set $sx (f32.load (local.get $xsp)))
        (local.set $tot (f32x4.add (local.get $tot)
          (f32x4.add
            (f32x4.mul (f32x4.convert_i32x4_s (local.get $da)) (f32x4.splat (f32.mul (f32.load (local.get $sp)) (local.get $sx))))
            (f32x4.mul (f32x4.convert_i32x4_s (local.get $db)) (f32x4.splat (f32.mul (f32.load offset=4 (local.get $sp)) (local.get $sx)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (local.set $sp (i32.add (local.get $sp) (i32.const 8)))
        (local.set $xsp (i32.add (local.get $xsp) (i32.const 4)))
        (br $k)))
      (f32.store (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 2))) (call $hsum (local.get $tot)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $rows))))

  ;; ---------------------------------------------------------------- int8 x int8, block 32
  ;; per 32 elements: 2 w loads, 2 x loads, 8 extend, 4 dot, 3 add, convert, scale product,
  ;; splat, mul, add (0.9 op/element, 1 byte/element)
  (func (export "gemv_i8")
    (param $w i32) (param $s i32) (param $x i32) (param $xs i32) (param $y i32) (param $kp i32)
    (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32)
    (param $n0 i32) (param $n1 i32) (param $scratch i32)
    (local $n i32) (local $p i32) (local $q i32) (local $end i32) (local $sp i32) (local $xsp i32)
    (local $wa v128) (local $wb v128) (local $xa v128) (local $xb v128) (local $d v128) (local $tot v128)
    (local.set $n (local.get $n0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $n) (local.get $n1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (local.get $n) (local.get $kp))))
      (local.set $end (i32.add (local.get $p) (local.get $kp)))
      (local.set $sp (i32.add (local.get $s) (i32.shl (i32.mul (local.get $n) (i32.shr_u (local.get $kp) (i32.const 5))) (i32.const 2))))
      (local.set $q (local.get $x))
      (local.set $xsp (local.get $xs))
      (local.set $tot (v128.const i32x4 0 0 0 0))
      (block $e (loop $k
        (br_if $e (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $wa (v128.load (local.get $p)))
        (local.set $wb (v128.load offset=16 (local.get $p)))
        (local.set $xa (v128.load (local.get $q)))
        (local.set $xb (v128.load offset=16 (local.get $q)))
        (local.set $d (i32x4.add
          (i32x4.add
            (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $wa)) (i16x8.extend_low_i8x16_s (local.get $xa)))
            (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $wa)) (i16x8.extend_high_i8x16_s (local.get $xa))))
          (i32x4.add
            (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $wb)) (i16x8.extend_low_i8x16_s (local.get $xb)))
            (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $wb)) (i16x8.extend_high_i8x16_s (local.get $xb))))))
        (local.set $tot (f32x4.add (local.get $tot)
          (f32x4.mul (f32x4.convert_i32x4_s (local.get $d))
            (f32x4.splat (f32.mul (f32.load (local.get $sp)) (f32.load (local.get $xsp)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
        (local.set $xsp (i32.add (local.get $xsp) (i32.const 4)))
        (br $k)))
      (f32.store (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 2))) (call $hsum (local.get $tot)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $rows))))

  ;; ---------------------------------------------------------------- activations to int8 per 32
  ;; s = amax/127 (float32), q = x / s rounded to nearest even (NaN -> 0), saturated to int8;
  ;; xs gets s * half. perm = 1 stores each block as its 16 even then 16 odd elements (the
  ;; gpt-oss nibble order). x holds kp floats (zero-padded).
  (func (export "quant_act") (param $x i32) (param $kp i32) (param $q i32) (param $xs i32) (param $perm i32) (param $half f32)
    (local $end i32) (local $m v128) (local $amax f32) (local $sv v128)
    (local $a v128) (local $b v128) (local $lo v128) (local $hi v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $kp) (i32.const 2))))
    (block $e (loop $blocks
      (br_if $e (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $m (f32x4.max
        (f32x4.max
          (f32x4.max (f32x4.abs (v128.load (local.get $x))) (f32x4.abs (v128.load offset=16 (local.get $x))))
          (f32x4.max (f32x4.abs (v128.load offset=32 (local.get $x))) (f32x4.abs (v128.load offset=48 (local.get $x)))))
        (f32x4.max
          (f32x4.max (f32x4.abs (v128.load offset=64 (local.get $x))) (f32x4.abs (v128.load offset=80 (local.get $x))))
          (f32x4.max (f32x4.abs (v128.load offset=96 (local.get $x))) (f32x4.abs (v128.load offset=112 (local.get $x)))))))
      (local.set $amax (f32.max
        (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
        (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
      (local.set $sv (f32x4.splat (f32.div (local.get $amax) (f32.const 127))))
      (f32.store (local.get $xs) (f32.mul (f32x4.extract_lane 0 (local.get $sv)) (local.get $half)))
      (local.set $lo (i16x8.narrow_i32x4_s
        (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.div (v128.load (local.get $x)) (local.get $sv))))
        (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.div (v128.load offset=16 (local.get $x)) (local.get $sv))))))
      (local.set $hi (i16x8.narrow_i32x4_s
        (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.div (v128.load offset=32 (local.get $x)) (local.get $sv))))
        (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.div (v128.load offset=48 (local.get $x)) (local.get $sv))))))
      (local.set $a (i8x16.narrow_i16x8_s (local.get $lo) (local.get $hi)))
      (local.set $lo (i16x8.narrow_i32x4_s
        (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.div (v128.load offset=64 (local.get $x)) (local.get $sv))))
        (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.div (v128.load offset=80 (local.get $x)) (local.get $sv))))))
      (local.set $hi (i16x8.narrow_i32x4_s
        (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.div (v128.load offset=96 (local.get $x)) (local.get $sv))))
        (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.div (v128.load offset=112 (local.get $x)) (local.get $sv))))))
      (local.set $b (i8x16.narrow_i16x8_s (local.get $lo) (local.get $hi)))
      (if (local.get $perm)
        (then
          (v128.store (local.get $q) (i8x16.shuffle 0 2 4 6 8 10 12 14 16 18 20 22 24 26 28 30 (local.get $a) (local.get $b)))
          (v128.store offset=16 (local.get $q) (i8x16.shuffle 1 3 5 7 9 11 13 15 17 19 21 23 25 27 29 31 (local.get $a) (local.get $b))))
        (else
          (v128.store (local.get $q) (local.get $a))
          (v128.store offset=16 (local.get $q) (local.get $b))))
      (local.set $x (i32.add (local.get $x) (i32.const 128)))
      (local.set $q (i32.add (local.get $q) (i32.const 32)))
      (local.set $xs (i32.add (local.get $xs) (i32.const 4)))
      (br $blocks))))

  ;; ================================================================ GEMM: C[M, N] = A[M, kp] W^T
  ;; Each thread decodes a panel of 4 weight rows into float32 scratch (4 * kp floats: the only
  ;; float copy of W that ever exists), then runs a 2x4 register tile over all M rows of A.
  ;; Activations are fp32 for every format. Decoders, by fmt:
  ;;   0 f32, 1 bf16, 2 E4M3 (param = log2 block along K), 3 FP4 gpt-oss order / 32,
  ;;   4 FP4 ggml order / 32, 5 NVFP4 (gpt-oss order, scale per 16), 6 int8 / 32.

  (func $dec_e4m3 (param $p i32) (param $sp i32) (param $kp i32) (param $dst i32) (param $blog2 i32)
    (local $end i32) (local $bend i32) (local $v v128) (local $h0 v128) (local $h1 v128) (local $sc v128)
    (local.set $end (i32.add (local.get $p) (local.get $kp)))
    (block $e (loop $blocks
      (br_if $e (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $bend (i32.add (local.get $p) (i32.shl (i32.const 1) (local.get $blog2))))
      (local.set $sc (v128.load32_splat (local.get $sp)))
      (loop $k
        (local.set $v (v128.load (local.get $p)))
        (local.set $h0 (v128.and (i16x8.shr_s
          (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (v128.const i32x4 0 0 0 0) (local.get $v))
          (i32.const 4)) (v128.const i16x8 0x87f0 0x87f0 0x87f0 0x87f0 0x87f0 0x87f0 0x87f0 0x87f0)))
        (local.set $h1 (v128.and (i16x8.shr_s
          (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (v128.const i32x4 0 0 0 0) (local.get $v))
          (i32.const 4)) (v128.const i16x8 0x87f0 0x87f0 0x87f0 0x87f0 0x87f0 0x87f0 0x87f0 0x87f0)))
        (v128.store (local.get $dst) (f32x4.mul (local.get $sc) (f32x4.mul (v128.const f32x4 0x1p120 0x1p120 0x1p120 0x1p120)
          (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (v128.const i32x4 0 0 0 0) (local.get $h0)))))
        (v128.store offset=16 (local.get $dst) (f32x4.mul (local.get $sc) (f32x4.mul (v128.const f32x4 0x1p120 0x1p120 0x1p120 0x1p120)
          (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (v128.const i32x4 0 0 0 0) (local.get $h0)))))
        (v128.store offset=32 (local.get $dst) (f32x4.mul (local.get $sc) (f32x4.mul (v128.const f32x4 0x1p120 0x1p120 0x1p120 0x1p120)
          (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (v128.const i32x4 0 0 0 0) (local.get $h1)))))
        (v128.store offset=48 (local.get $dst) (f32x4.mul (local.get $sc) (f32x4.mul (v128.const f32x4 0x1p120 0x1p120 0x1p120 0x1p120)
          (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (v128.const i32x4 0 0 0 0) (local.get $h1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
        (br_if $k (i32.lt_u (local.get $p) (local.get $bend))))
      (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
      (br $blocks))))

  ;; 16 int8 lanes times one scale (per 8 lanes: sa for lanes 0..7, sb for 8..15) -> 16 floats
  (func $i8_to_f32 (param $v v128) (param $sa v128) (param $sb v128) (param $dst i32)
    (local $l v128) (local $h v128)
    (local.set $l (i16x8.extend_low_i8x16_s (local.get $v)))
    (local.set $h (i16x8.extend_high_i8x16_s (local.get $v)))
    (v128.store (local.get $dst) (f32x4.mul (local.get $sa) (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $l)))))
    (v128.store offset=16 (local.get $dst) (f32x4.mul (local.get $sa) (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $l)))))
    (v128.store offset=32 (local.get $dst) (f32x4.mul (local.get $sb) (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $h)))))
    (v128.store offset=48 (local.get $dst) (f32x4.mul (local.get $sb) (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $h))))))

  ;; FP4: mode 3 gpt-oss / 32, 4 ggml / 32, 5 NVFP4 gpt-oss / 16 (table holds 2*E2M1: scale * 1/2)
  (func $dec_fp4 (param $p i32) (param $sp i32) (param $kp i32) (param $dst i32) (param $mode i32)
    (local $end i32) (local $v v128) (local $lo v128) (local $hi v128) (local $a v128) (local $b v128)
    (local $sa v128) (local $sb v128)
    (local.set $end (i32.add (local.get $p) (i32.shr_u (local.get $kp) (i32.const 1))))
    (block $e (loop $k
      (br_if $e (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $v (v128.load (local.get $p)))
      (local.set $lo (i8x16.swizzle (v128.const i8x16 0 1 2 3 4 6 8 12 0 -1 -2 -3 -4 -6 -8 -12)
        (v128.and (local.get $v) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))))
      (local.set $hi (i8x16.swizzle (v128.const i8x16 0 1 2 3 4 6 8 12 0 -1 -2 -3 -4 -6 -8 -12)
        (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))))
      (if (i32.eq (local.get $mode) (i32.const 4))
        (then (local.set $a (local.get $lo)) (local.set $b (local.get $hi)))
        (else
          (local.set $a (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $lo) (local.get $hi)))
          (local.set $b (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $lo) (local.get $hi)))))
      (if (i32.eq (local.get $mode) (i32.const 5))
        (then
          (local.set $sa (f32x4.splat (f32.mul (f32.const 0.5) (f32.load (local.get $sp)))))
          (local.set $sb (f32x4.splat (f32.mul (f32.const 0.5) (f32.load offset=4 (local.get $sp)))))
          (local.set $sp (i32.add (local.get $sp) (i32.const 8)))
          (call $i8_to_f32 (local.get $a) (local.get $sa) (local.get $sa) (local.get $dst))
          (call $i8_to_f32 (local.get $b) (local.get $sb) (local.get $sb) (i32.add (local.get $dst) (i32.const 64))))
        (else
          (local.set $sa (f32x4.splat (f32.mul (f32.const 0.5) (f32.load (local.get $sp)))))
          (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
          (call $i8_to_f32 (local.get $a) (local.get $sa) (local.get $sa) (local.get $dst))
          (call $i8_to_f32 (local.get $b) (local.get $sa) (local.get $sa) (i32.add (local.get $dst) (i32.const 64)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
      (br $k))))

  (func $dec_i8 (param $p i32) (param $sp i32) (param $kp i32) (param $dst i32)
    (local $end i32) (local $sa v128)
    (local.set $end (i32.add (local.get $p) (local.get $kp)))
    (block $e (loop $k
      (br_if $e (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $sa (v128.load32_splat (local.get $sp)))
      (call $i8_to_f32 (v128.load (local.get $p)) (local.get $sa) (local.get $sa) (local.get $dst))
      (call $i8_to_f32 (v128.load offset=16 (local.get $p)) (local.get $sa) (local.get $sa) (i32.add (local.get $dst) (i32.const 64)))
      (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
      (local.set $p (i32.add (local.get $p) (i32.const 32)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
      (br $k))))

  (func $dec_bf16 (param $p i32) (param $kp i32) (param $dst i32)
    (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $kp) (i32.const 1))))
    (block $e (loop $k
      (br_if $e (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $v (v128.load (local.get $p)))
      (v128.store (local.get $dst) (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (v128.const i32x4 0 0 0 0) (local.get $v)))
      (v128.store offset=16 (local.get $dst) (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (v128.const i32x4 0 0 0 0) (local.get $v)))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
      (br $k))))

  (func $decode (param $fmt i32) (param $p i32) (param $sp i32) (param $kp i32) (param $dst i32) (param $param i32)
    (block $i8 (block $fp4 (block $e4m3 (block $bf16 (block $f32
      (br_table $f32 $bf16 $e4m3 $fp4 $fp4 $fp4 $i8 (local.get $fmt)))
      (memory.copy (local.get $dst) (local.get $p) (i32.shl (local.get $kp) (i32.const 2))) (return))
      (call $dec_bf16 (local.get $p) (local.get $kp) (local.get $dst)) (return))
      (call $dec_e4m3 (local.get $p) (local.get $sp) (local.get $kp) (local.get $dst) (local.get $param)) (return))
      (call $dec_fp4 (local.get $p) (local.get $sp) (local.get $kp) (local.get $dst) (local.get $fmt)) (return))
    (call $dec_i8 (local.get $p) (local.get $sp) (local.get $kp) (local.get $dst)))

  ;; 2x4 register tile: per 4 k, 2 A loads + 4 panel loads + 8 mul + 8 add = 32 multiply-adds
  (func $tile (param $a i32) (param $M i32) (param $kp i32) (param $panel i32) (param $c i32)
    (param $ldc i32) (param $nb i32) (param $r i32)
    (local $m i32) (local $a0 i32) (local $a1 i32) (local $o i32) (local $end i32) (local $row i32)
    (local $x0 v128) (local $x1 v128) (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local $k4 i32) (local $j i32) (local $cp i32)
    (local.set $k4 (i32.shl (local.get $kp) (i32.const 2)))
    (block $done (loop $ms
      (br_if $done (i32.ge_u (local.get $m) (local.get $M)))
      (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $m) (local.get $k4))))
      (local.set $a1 (select (i32.add (local.get $a0) (local.get $k4)) (local.get $a0)
        (i32.lt_u (i32.add (local.get $m) (i32.const 1)) (local.get $M))))
      (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
      (local.set $c02 (v128.const i32x4 0 0 0 0)) (local.set $c03 (v128.const i32x4 0 0 0 0))
      (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
      (local.set $c12 (v128.const i32x4 0 0 0 0)) (local.set $c13 (v128.const i32x4 0 0 0 0))
      (local.set $o (i32.const 0))
      (block $e (loop $k
        (br_if $e (i32.ge_u (local.get $o) (local.get $k4)))
        (local.set $x0 (v128.load (i32.add (local.get $a0) (local.get $o))))
        (local.set $x1 (v128.load (i32.add (local.get $a1) (local.get $o))))
        (local.set $row (i32.add (local.get $panel) (local.get $o)))
        (local.set $w0 (v128.load (local.get $row)))
        (local.set $row (i32.add (local.get $row) (local.get $k4)))
        (local.set $w1 (v128.load (local.get $row)))
        (local.set $row (i32.add (local.get $row) (local.get $k4)))
        (local.set $w2 (v128.load (local.get $row)))
        (local.set $row (i32.add (local.get $row) (local.get $k4)))
        (local.set $w3 (v128.load (local.get $row)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x0) (local.get $w0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x0) (local.get $w1))))
        (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $x0) (local.get $w2))))
        (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $x0) (local.get $w3))))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x1) (local.get $w0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x1) (local.get $w1))))
        (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $x1) (local.get $w2))))
        (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $x1) (local.get $w3))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $k)))
      ;; write row m (and m+1) for the r valid columns
      (local.set $cp (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $m) (local.get $ldc)) (local.get $nb)) (i32.const 2))))
      (f32.store (local.get $cp) (call $hsum (local.get $c00)))
      (if (i32.gt_u (local.get $r) (i32.const 1)) (then (f32.store offset=4 (local.get $cp) (call $hsum (local.get $c01)))))
      (if (i32.gt_u (local.get $r) (i32.const 2)) (then (f32.store offset=8 (local.get $cp) (call $hsum (local.get $c02)))))
      (if (i32.gt_u (local.get $r) (i32.const 3)) (then (f32.store offset=12 (local.get $cp) (call $hsum (local.get $c03)))))
      (if (i32.lt_u (i32.add (local.get $m) (i32.const 1)) (local.get $M)) (then
        (local.set $cp (i32.add (local.get $cp) (i32.shl (local.get $ldc) (i32.const 2))))
        (f32.store (local.get $cp) (call $hsum (local.get $c10)))
        (if (i32.gt_u (local.get $r) (i32.const 1)) (then (f32.store offset=4 (local.get $cp) (call $hsum (local.get $c11)))))
        (if (i32.gt_u (local.get $r) (i32.const 2)) (then (f32.store offset=8 (local.get $cp) (call $hsum (local.get $c12)))))
        (if (i32.gt_u (local.get $r) (i32.const 3)) (then (f32.store offset=12 (local.get $cp) (call $hsum (local.get $c13)))))))
      (local.set $m (i32.add (local.get $m) (i32.const 2)))
      (br $ms))))

  ;; rowBytes: bytes per weight row; scale row for weight row n is s + ((n >> rshift) * scols) * 4
  (func (export "gemm")
    (param $fmt i32) (param $w i32) (param $rowBytes i32) (param $s i32) (param $scols i32) (param $rshift i32)
    (param $a i32) (param $c i32) (param $M i32) (param $ldc i32) (param $kp i32) (param $param i32)
    (param $n0 i32) (param $n1 i32) (param $panel i32)
    (local $nb i32) (local $r i32) (local $i i32) (local $n i32)
    (local.set $nb (local.get $n0))
    (block $done (loop $panels
      (br_if $done (i32.ge_u (local.get $nb) (local.get $n1)))
      (local.set $r (select (i32.const 4) (i32.sub (local.get $n1) (local.get $nb))
        (i32.ge_u (i32.sub (local.get $n1) (local.get $nb)) (i32.const 4))))
      (local.set $i (i32.const 0))
      (loop $rows
        (local.set $n (i32.add (local.get $nb) (local.get $i)))
        (if (i32.lt_u (local.get $i) (local.get $r))
          (then (call $decode (local.get $fmt)
            (i32.add (local.get $w) (i32.mul (local.get $n) (local.get $rowBytes)))
            (i32.add (local.get $s) (i32.shl (i32.mul (i32.shr_u (local.get $n) (local.get $rshift)) (local.get $scols)) (i32.const 2)))
            (local.get $kp)
            (i32.add (local.get $panel) (i32.mul (local.get $i) (i32.shl (local.get $kp) (i32.const 2))))
            (local.get $param)))
          (else (memory.fill (i32.add (local.get $panel) (i32.mul (local.get $i) (i32.shl (local.get $kp) (i32.const 2))))
            (i32.const 0) (i32.shl (local.get $kp) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $rows (i32.lt_u (local.get $i) (i32.const 4))))
      (call $tile (local.get $a) (local.get $M) (local.get $kp) (local.get $panel) (local.get $c)
        (local.get $ldc) (local.get $nb) (local.get $r))
      (local.set $nb (i32.add (local.get $nb) (i32.const 4)))
      (br $panels))))
)
