;; Block quantize / dequantize kernels, WebAssembly SIMD (hand-written).
;; A [rows, cols] float32 matrix in tiles of [br, bc]; one code per element (u8); per tile a
;; scale byte (E8M0) and a float32 dequantization scale. Bit-exact with quant/quantize.ts for:
;;   rule 0: s = max(amax, minAmax) / maxValue, ceiled to 2^k from its bits (DeepGEMM ceil_to_ue8m0)
;;   rule 1: E8M0 = exponent bits of amax - emax (OCP / torchao FLOOR)
;;   rule 2: E8M0 = ceil-to-2^k of amax * (1/maxValue) (cuBLAS / torchao RCEIL)
;;   elem 0: E4M3FN, round to nearest even, saturating; 2: the same, not saturating (torch);
;;   elem 1: E2M1, round to nearest even, saturating; 3: E2M1, ties away, saturating.
;;   rule 3: triton_kernels ROUND_UP, (bits(amax / maxValue) + 0x7FFFFF) & 0x7F800000
;; Comparisons of |x| bits (never above 0x7fffffff) use the signed i32x4.gt_s/lt_s: one x86
;; instruction each, where the unsigned gt_u/lt_u cost V8 four or five (bench/isa.mjs). E4M3
;; overflow and NaN codes are applied as max(code, code' & mask) (2 instructions, v128.bitselect 3):
;; the magnitude code is at most 0x7e there, so the E4M3 NaN code must be 0x7f (wasmPlan's).
;; Bytes 0..15 of memory hold the E2M1 magnitudes times two (0 1 2 3 4 6 8 12) for swizzle.
(module
  (memory (export "memory") 1)
  (data (i32.const 0) "\00\01\02\03\04\06\08\0c\00\01\02\03\04\06\08\0c")

  (global $inv (mut f32) (f32.const 0))
  ;; elements whose scaled magnitude passed the clip threshold (saturated), summed over a call
  (global $sat (mut i32) (i32.const 0))
  (func (export "saturated") (result i32) (global.get $sat))

  ;; lanes [0, rem) set: a mask for the tail of a segment
  (func $tailmask (param $rem i32) (result v128)
    (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (local.get $rem))))

  ;; max |x| over n floats at p (NaN if any is NaN). |x| as integer bits: for non-negative floats the
  ;; integer order is the float order and every NaN is above +Inf, so i32x4.max_s (1 x86
  ;; instruction) replaces f32x4.max (8: its NaN and -0 rules cost V8 a fix-up sequence).
  (func $amax (param $p i32) (param $n i32) (result f32)
    (local $acc v128) (local $i i32) (local $m f32)
    (local.set $acc (v128.const f32x4 0 0 0 0))
    (block $done
      (loop $l
        (br_if $done (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $acc (i32x4.max_s (local.get $acc)
          (v128.and (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff) (v128.load align=4 (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l)))
    (if (i32.lt_s (local.get $i) (local.get $n))
      (then
        (local.set $acc (i32x4.max_s (local.get $acc)
          (v128.and
            (v128.and (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff) (v128.load align=4 (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
            (call $tailmask (i32.sub (local.get $n) (local.get $i))))))))
    (local.set $m (f32.max (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc))))
    (local.set $m (f32.max (local.get $m) (f32x4.extract_lane 2 (local.get $acc))))
    (f32.max (local.get $m) (f32x4.extract_lane 3 (local.get $acc))))

  ;; E8M0 byte -> float32 value (0 is 2^-127, a float32 subnormal; 255 is NaN)
  (func $e8m0 (param $c i32) (result f32)
    (if (result f32) (i32.eq (local.get $c) (i32.const 255))
      (then (f32.const nan))
      (else (if (result f32) (i32.eqz (local.get $c))
        (then (f32.reinterpret_i32 (i32.const 0x00400000)))
        (else (f32.reinterpret_i32 (i32.shl (local.get $c) (i32.const 23))))))))

  ;; scale byte of a tile from its amax; sets $inv (what elements are multiplied by)
  (func $scale (param $rule i32) (param $amax f32) (param $emax i32) (param $maxv f32) (param $mina f32) (param $rmax f32) (result i32)
    (local $b i32) (local $e i32) (local $c i32) (local $s f32)
    (if (i32.eqz (local.get $rule))
      (then
        (local.set $s (f32.div (f32.max (local.get $amax) (local.get $mina)) (local.get $maxv)))
        (local.set $b (i32.reinterpret_f32 (local.get $s)))
        (local.set $e (i32.add (i32.and (i32.shr_u (local.get $b) (i32.const 23)) (i32.const 255))
                               (i32.ne (i32.and (local.get $b) (i32.const 0x7fffff)) (i32.const 0))))
        (local.set $c (select (i32.const 1) (local.get $e) (i32.lt_s (local.get $e) (i32.const 1))))
        (local.set $c (select (i32.const 254) (local.get $c) (i32.gt_s (local.get $c) (i32.const 254))))
        (global.set $inv (f32.div (f32.const 1) (call $e8m0 (local.get $c))))
        (return (local.get $c))))
    ;; MX rules: NaN or Inf amax gives the NaN scale
    (if (i32.eqz (f32.lt (local.get $amax) (f32.const inf)))
      (then (global.set $inv (f32.const nan)) (return (i32.const 255))))
    (if (i32.eq (local.get $rule) (i32.const 3))
      (then
        ;; triton ROUND_UP: (bits(amax / max) + 0x7FFFFF) & 0x7F800000; a scale that underflowed to 0 zeroes the elements
        (local.set $c (i32.shr_u (i32.and (i32.add (i32.reinterpret_f32 (f32.div (local.get $amax) (local.get $maxv))) (i32.const 0x7fffff))
                                          (i32.const 0x7f800000)) (i32.const 23)))
        (global.set $inv
          (if (result f32) (i32.eqz (local.get $c)) (then (f32.const 0))
            (else (if (result f32) (i32.eq (local.get $c) (i32.const 255)) (then (f32.const nan))
              (else (if (result f32) (i32.eq (local.get $c) (i32.const 254))
                (then (f32.reinterpret_i32 (i32.const 0x00400000)))
                (else (f32.reinterpret_i32 (i32.shl (i32.sub (i32.const 254) (local.get $c)) (i32.const 23))))))))))
        (return (local.get $c))))
    (if (i32.eq (local.get $rule) (i32.const 1))
      (then
        (local.set $e (i32.sub (i32.sub (i32.and (i32.shr_u (i32.reinterpret_f32 (local.get $amax)) (i32.const 23)) (i32.const 255))
                                        (i32.const 127)) (local.get $emax)))
        (local.set $e (select (i32.const -127) (local.get $e) (i32.lt_s (local.get $e) (i32.const -127))))
        (local.set $e (select (i32.const 128) (local.get $e) (i32.gt_s (local.get $e) (i32.const 128))))
        (local.set $c (i32.add (local.get $e) (i32.const 127))))
      (else
        (local.set $b (i32.reinterpret_f32 (f32.mul (local.get $amax) (local.get $rmax))))
        (local.set $e (i32.and (i32.shr_u (local.get $b) (i32.const 23)) (i32.const 255)))
        (local.set $c (i32.add (local.get $e)
          (select
            (i32.gt_u (i32.and (local.get $b) (i32.const 0x7fffff)) (i32.const 0x400000))
            (i32.ne (i32.and (local.get $b) (i32.const 0x7fffff)) (i32.const 0))
            (i32.eqz (local.get $e)))))
        (local.set $c (select (i32.const 255) (local.get $c) (i32.gt_s (local.get $c) (i32.const 255))))))
    ;; exact reciprocal 2^(127 - c)
    (global.set $inv
      (if (result f32) (i32.eq (local.get $c) (i32.const 255))
        (then (f32.const nan))
        (else (if (result f32) (i32.eq (local.get $c) (i32.const 254))
          (then (f32.reinterpret_i32 (i32.const 0x00400000)))
          (else (f32.reinterpret_i32 (i32.shl (i32.sub (i32.const 254) (local.get $c)) (i32.const 23))))))))
    (local.get $c))

  ;; encode_e4m3: codes of n floats at p scaled by inv, as bytes at q; counts |x*inv| > clip in $sat
  (func $encode_e4m3 (param $p i32) (param $q i32) (param $n i32) (param $inv f32) (param $nan i32) (param $clip f32) (param $elem i32)
    (local $i i32) (local $k i32) (local $m i32) (local $vi v128) (local $vc v128) (local $cnt v128)
    (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $a v128)
    (local $absm v128) (local $signm v128) (local $inf v128) (local $vnan v128) (local $denorm v128) (local $ovf v128) (local $ovfAt v128)
    (local.set $vi (f32x4.splat (local.get $inv)))
    (local.set $vc (f32x4.splat (local.get $clip)))
    (local.set $absm (i32x4.splat (i32.const 0x7fffffff)))
    (local.set $signm (i32x4.splat (i32.const 0x80000000)))
    (local.set $inf (i32x4.splat (i32.const 0x7f800000)))
    (local.set $vnan (i32x4.splat (local.get $nan)))
    (local.set $denorm (i32x4.splat (i32.const 0x46800000)))
    ;; elem 2 (E4M3 not saturating, as torch): above 464, and Inf, is NaN; elem 0 saturates
    (local.set $ovf (i32x4.splat (select (i32.const 0x7f) (i32.const 0x7e) (i32.eq (local.get $elem) (i32.const 2)))))
    (local.set $ovfAt (i32x4.splat (i32.const 0x43e80000)))
    (local.set $m (i32.and (local.get $n) (i32.const -16)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $i) (local.get $m)))
        (local.set $k (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $y0 (f32x4.mul (v128.load align=4 (local.get $k)) (local.get $vi)))
        (local.set $y1 (f32x4.mul (v128.load offset=16 align=4 (local.get $k)) (local.get $vi)))
        (local.set $y2 (f32x4.mul (v128.load offset=32 align=4 (local.get $k)) (local.get $vi)))
        (local.set $y3 (f32x4.mul (v128.load offset=48 align=4 (local.get $k)) (local.get $vi)))
        (local.set $cnt (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (local.get $cnt)
          (f32x4.gt (f32x4.abs (local.get $y0)) (local.get $vc)))
          (f32x4.gt (f32x4.abs (local.get $y1)) (local.get $vc)))
          (f32x4.gt (f32x4.abs (local.get $y2)) (local.get $vc)))
          (f32x4.gt (f32x4.abs (local.get $y3)) (local.get $vc))))
        ;; --- E4M3 of $y0 into $c0
        (local.set $a (v128.and (local.get $y0) (local.get $absm)))
        (local.set $c0 (i32x4.shr_u
          (i32x4.add (i32x4.add (local.get $a) (i32x4.splat (i32.const 0xc407ffff)))
                     (v128.and (i32x4.shr_u (local.get $a) (i32.const 20)) (i32x4.splat (i32.const 1))))
          (i32.const 20)))
        (local.set $c0 (v128.bitselect
          (i32x4.sub (f32x4.add (local.get $a) (local.get $denorm)) (local.get $denorm))
          (local.get $c0)
          (i32x4.lt_s (local.get $a) (i32x4.splat (i32.const 0x3c800000)))))
        (local.set $c0 (i32x4.min_u (local.get $c0) (i32x4.splat (i32.const 0x7e))))
        (local.set $c0 (i32x4.max_s (local.get $c0) (v128.and (local.get $ovf) (i32x4.gt_s (local.get $a) (local.get $ovfAt)))))
        (local.set $c0 (i32x4.max_s (local.get $c0) (v128.and (local.get $vnan) (i32x4.gt_s (local.get $a) (local.get $inf)))))
        (local.set $c0 (v128.or (local.get $c0) (i32x4.shr_u (v128.and (local.get $y0) (local.get $signm)) (i32.const 24))))
        ;; --- E4M3 of $y1 into $c1
        (local.set $a (v128.and (local.get $y1) (local.get $absm)))
        (local.set $c1 (i32x4.shr_u
          (i32x4.add (i32x4.add (local.get $a) (i32x4.splat (i32.const 0xc407ffff)))
                     (v128.and (i32x4.shr_u (local.get $a) (i32.const 20)) (i32x4.splat (i32.const 1))))
          (i32.const 20)))
        (local.set $c1 (v128.bitselect
          (i32x4.sub (f32x4.add (local.get $a) (local.get $denorm)) (local.get $denorm))
          (local.get $c1)
          (i32x4.lt_s (local.get $a) (i32x4.splat (i32.const 0x3c800000)))))
        (local.set $c1 (i32x4.min_u (local.get $c1) (i32x4.splat (i32.const 0x7e))))
        (local.set $c1 (i32x4.max_s (local.get $c1) (v128.and (local.get $ovf) (i32x4.gt_s (local.get $a) (local.get $ovfAt)))))
        (local.set $c1 (i32x4.max_s (local.get $c1) (v128.and (local.get $vnan) (i32x4.gt_s (local.get $a) (local.get $inf)))))
        (local.set $c1 (v128.or (local.get $c1) (i32x4.shr_u (v128.and (local.get $y1) (local.get $signm)) (i32.const 24))))
        ;; --- E4M3 of $y2 into $c2
        (local.set $a (v128.and (local.get $y2) (local.get $absm)))
        (local.set $c2 (i32x4.shr_u
          (i32x4.add (i32x4.add (local.get $a) (i32x4.splat (i32.const 0xc407ffff)))
                     (v128.and (i32x4.shr_u (local.get $a) (i32.const 20)) (i32x4.splat (i32.const 1))))
          (i32.const 20)))
        (local.set $c2 (v128.bitselect
          (i32x4.sub (f32x4.add (local.get $a) (local.get $denorm)) (local.get $denorm))
          (local.get $c2)
          (i32x4.lt_s (local.get $a) (i32x4.splat (i32.const 0x3c800000)))))
        (local.set $c2 (i32x4.min_u (local.get $c2) (i32x4.splat (i32.const 0x7e))))
        (local.set $c2 (i32x4.max_s (local.get $c2) (v128.and (local.get $ovf) (i32x4.gt_s (local.get $a) (local.get $ovfAt)))))
        (local.set $c2 (i32x4.max_s (local.get $c2) (v128.and (local.get $vnan) (i32x4.gt_s (local.get $a) (local.get $inf)))))
        (local.set $c2 (v128.or (local.get $c2) (i32x4.shr_u (v128.and (local.get $y2) (local.get $signm)) (i32.const 24))))
        ;; --- E4M3 of $y3 into $c3
        (local.set $a (v128.and (local.get $y3) (local.get $absm)))
        (local.set $c3 (i32x4.shr_u
          (i32x4.add (i32x4.add (local.get $a) (i32x4.splat (i32.const 0xc407ffff)))
                     (v128.and (i32x4.shr_u (local.get $a) (i32.const 20)) (i32x4.splat (i32.const 1))))
          (i32.const 20)))
        (local.set $c3 (v128.bitselect
          (i32x4.sub (f32x4.add (local.get $a) (local.get $denorm)) (local.get $denorm))
          (local.get $c3)
          (i32x4.lt_s (local.get $a) (i32x4.splat (i32.const 0x3c800000)))))
        (local.set $c3 (i32x4.min_u (local.get $c3) (i32x4.splat (i32.const 0x7e))))
        (local.set $c3 (i32x4.max_s (local.get $c3) (v128.and (local.get $ovf) (i32x4.gt_s (local.get $a) (local.get $ovfAt)))))
        (local.set $c3 (i32x4.max_s (local.get $c3) (v128.and (local.get $vnan) (i32x4.gt_s (local.get $a) (local.get $inf)))))
        (local.set $c3 (v128.or (local.get $c3) (i32x4.shr_u (v128.and (local.get $y3) (local.get $signm)) (i32.const 24))))
        (v128.store align=1 (i32.add (local.get $q) (local.get $i))
          (i8x16.narrow_i16x8_u
            (i16x8.narrow_i32x4_u (local.get $c0) (local.get $c1))
            (i16x8.narrow_i32x4_u (local.get $c2) (local.get $c3))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l)))
    ;; tail, one lane at a time
    (block $done2
      (loop $l2
        (br_if $done2 (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $y0 (f32x4.mul (f32x4.splat (f32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))) (local.get $vi)))
        (local.set $cnt (i32x4.sub (local.get $cnt)
          (v128.and (f32x4.gt (f32x4.abs (local.get $y0)) (local.get $vc)) (v128.const i32x4 -1 0 0 0))))
        ;; --- E4M3 of $y0 into $c0
        (local.set $a (v128.and (local.get $y0) (local.get $absm)))
        (local.set $c0 (i32x4.shr_u
          (i32x4.add (i32x4.add (local.get $a) (i32x4.splat (i32.const 0xc407ffff)))
                     (v128.and (i32x4.shr_u (local.get $a) (i32.const 20)) (i32x4.splat (i32.const 1))))
          (i32.const 20)))
        (local.set $c0 (v128.bitselect
          (i32x4.sub (f32x4.add (local.get $a) (local.get $denorm)) (local.get $denorm))
          (local.get $c0)
          (i32x4.lt_s (local.get $a) (i32x4.splat (i32.const 0x3c800000)))))
        (local.set $c0 (i32x4.min_u (local.get $c0) (i32x4.splat (i32.const 0x7e))))
        (local.set $c0 (i32x4.max_s (local.get $c0) (v128.and (local.get $ovf) (i32x4.gt_s (local.get $a) (local.get $ovfAt)))))
        (local.set $c0 (i32x4.max_s (local.get $c0) (v128.and (local.get $vnan) (i32x4.gt_s (local.get $a) (local.get $inf)))))
        (local.set $c0 (v128.or (local.get $c0) (i32x4.shr_u (v128.and (local.get $y0) (local.get $signm)) (i32.const 24))))
        (i32.store8 (i32.add (local.get $q) (local.get $i)) (i32x4.extract_lane 0 (local.get $c0)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l2)))
    (global.set $sat (i32.add (global.get $sat)
      (i32.add (i32.add (i32x4.extract_lane 0 (local.get $cnt)) (i32x4.extract_lane 1 (local.get $cnt)))
               (i32.add (i32x4.extract_lane 2 (local.get $cnt)) (i32x4.extract_lane 3 (local.get $cnt)))))))

  ;; encode_e2m1: codes of n floats at p scaled by inv, as bytes at q; counts |x*inv| > clip in $sat
  (func $encode_e2m1 (export "encode_e2m1") (param $p i32) (param $q i32) (param $n i32) (param $inv f32) (param $nan i32) (param $clip f32) (param $elem i32)
    (local $i i32) (local $k i32) (local $m i32) (local $vi v128) (local $vc v128) (local $cnt v128)
    (local $t1 v128) (local $t2 v128) (local $kb v128) (local $odd v128) (local $seven v128)
    (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $a v128)
    (local $absm v128) (local $signm v128) (local $inf v128) (local $vnan v128) (local $denorm v128) (local $ovf v128) (local $ovfAt v128)
    ;; E2M1 magnitude code of a = |y| bits, to nearest even (elem 1) or ties away (elem 3),
    ;; saturating: min(7, max(cn, cs)). For |y| >= 1, cn = (a + kb + odd) >> 22 (arithmetic): adding
    ;; 2^21 - 1, plus the kept mantissa bit for ties to even (2^21 for ties away), rounds the 22
    ;; dropped bits into the one mantissa bit, carrying into the exponent; kb also subtracts
    ;; 252 << 22, the bits of 1.0 >> 22 less its code 2. Below 1, cn is at most the right code
    ;; and cs counts the two thresholds passed (0.25: a tie stays down to even 0, goes up
    ;; when ties away; 0.75 always goes up), compared as integer bits.
    (local.set $t1 (i32x4.splat (i32.sub (i32.const 0x3e800000) (i32.eq (local.get $elem) (i32.const 3)))))
    (local.set $t2 (i32x4.splat (i32.const 0x3f3fffff)))
    (local.set $kb (i32x4.splat (select (i32.const 0xc1200000) (i32.const 0xc11fffff) (i32.eq (local.get $elem) (i32.const 3)))))
    (local.set $odd (i32x4.splat (i32.ne (local.get $elem) (i32.const 3))))
    (local.set $seven (i32x4.splat (i32.const 7)))
    (local.set $vi (f32x4.splat (local.get $inv)))
    (local.set $vc (f32x4.splat (local.get $clip)))
    (local.set $absm (i32x4.splat (i32.const 0x7fffffff)))
    (local.set $signm (i32x4.splat (i32.const 0x80000000)))
    (local.set $inf (i32x4.splat (i32.const 0x7f800000)))
    (local.set $vnan (i32x4.splat (local.get $nan)))
    (local.set $denorm (i32x4.splat (i32.const 0x46800000)))
    ;; elem 2 (E4M3 not saturating, as torch): above 464, and Inf, is NaN; elem 0 saturates
    (local.set $ovf (i32x4.splat (select (i32.const 0x7f) (i32.const 0x7e) (i32.eq (local.get $elem) (i32.const 2)))))
    (local.set $ovfAt (i32x4.splat (i32.const 0x43e80000)))
    (local.set $m (i32.and (local.get $n) (i32.const -16)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $i) (local.get $m)))
        (local.set $k (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $y0 (f32x4.mul (v128.load align=4 (local.get $k)) (local.get $vi)))
        (local.set $y1 (f32x4.mul (v128.load offset=16 align=4 (local.get $k)) (local.get $vi)))
        (local.set $y2 (f32x4.mul (v128.load offset=32 align=4 (local.get $k)) (local.get $vi)))
        (local.set $y3 (f32x4.mul (v128.load offset=48 align=4 (local.get $k)) (local.get $vi)))
        (local.set $cnt (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (local.get $cnt)
          (f32x4.gt (f32x4.abs (local.get $y0)) (local.get $vc)))
          (f32x4.gt (f32x4.abs (local.get $y1)) (local.get $vc)))
          (f32x4.gt (f32x4.abs (local.get $y2)) (local.get $vc)))
          (f32x4.gt (f32x4.abs (local.get $y3)) (local.get $vc))))
        ;; --- E2M1 of $y0 into $c0
        (local.set $a (v128.and (local.get $y0) (local.get $absm)))
        (local.set $c0 (i32x4.min_s (local.get $seven) (i32x4.max_s
          (i32x4.shr_s (i32x4.add (i32x4.add (local.get $a) (local.get $kb)) (v128.and (i32x4.shr_u (local.get $a) (i32.const 22)) (local.get $odd))) (i32.const 22))
          (i32x4.abs (i32x4.add (i32x4.gt_s (local.get $a) (local.get $t1)) (i32x4.gt_s (local.get $a) (local.get $t2)))))))
        (local.set $c0 (v128.or (local.get $c0) (i32x4.shl (i32x4.shr_u (local.get $y0) (i32.const 31)) (i32.const 3))))
        (local.set $c0 (v128.bitselect (local.get $vnan) (local.get $c0) (i32x4.gt_s (local.get $a) (local.get $inf))))
        ;; --- E2M1 of $y1 into $c1
        (local.set $a (v128.and (local.get $y1) (local.get $absm)))
        (local.set $c1 (i32x4.min_s (local.get $seven) (i32x4.max_s
          (i32x4.shr_s (i32x4.add (i32x4.add (local.get $a) (local.get $kb)) (v128.and (i32x4.shr_u (local.get $a) (i32.const 22)) (local.get $odd))) (i32.const 22))
          (i32x4.abs (i32x4.add (i32x4.gt_s (local.get $a) (local.get $t1)) (i32x4.gt_s (local.get $a) (local.get $t2)))))))
        (local.set $c1 (v128.or (local.get $c1) (i32x4.shl (i32x4.shr_u (local.get $y1) (i32.const 31)) (i32.const 3))))
        (local.set $c1 (v128.bitselect (local.get $vnan) (local.get $c1) (i32x4.gt_s (local.get $a) (local.get $inf))))
        ;; --- E2M1 of $y2 into $c2
        (local.set $a (v128.and (local.get $y2) (local.get $absm)))
        (local.set $c2 (i32x4.min_s (local.get $seven) (i32x4.max_s
          (i32x4.shr_s (i32x4.add (i32x4.add (local.get $a) (local.get $kb)) (v128.and (i32x4.shr_u (local.get $a) (i32.const 22)) (local.get $odd))) (i32.const 22))
          (i32x4.abs (i32x4.add (i32x4.gt_s (local.get $a) (local.get $t1)) (i32x4.gt_s (local.get $a) (local.get $t2)))))))
        (local.set $c2 (v128.or (local.get $c2) (i32x4.shl (i32x4.shr_u (local.get $y2) (i32.const 31)) (i32.const 3))))
        (local.set $c2 (v128.bitselect (local.get $vnan) (local.get $c2) (i32x4.gt_s (local.get $a) (local.get $inf))))
        ;; --- E2M1 of $y3 into $c3
        (local.set $a (v128.and (local.get $y3) (local.get $absm)))
        (local.set $c3 (i32x4.min_s (local.get $seven) (i32x4.max_s
          (i32x4.shr_s (i32x4.add (i32x4.add (local.get $a) (local.get $kb)) (v128.and (i32x4.shr_u (local.get $a) (i32.const 22)) (local.get $odd))) (i32.const 22))
          (i32x4.abs (i32x4.add (i32x4.gt_s (local.get $a) (local.get $t1)) (i32x4.gt_s (local.get $a) (local.get $t2)))))))
        (local.set $c3 (v128.or (local.get $c3) (i32x4.shl (i32x4.shr_u (local.get $y3) (i32.const 31)) (i32.const 3))))
        (local.set $c3 (v128.bitselect (local.get $vnan) (local.get $c3) (i32x4.gt_s (local.get $a) (local.get $inf))))
        (v128.store align=1 (i32.add (local.get $q) (local.get $i))
          (i8x16.narrow_i16x8_u
            (i16x8.narrow_i32x4_u (local.get $c0) (local.get $c1))
            (i16x8.narrow_i32x4_u (local.get $c2) (local.get $c3))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l)))
    ;; tail, one lane at a time
    (block $done2
      (loop $l2
        (br_if $done2 (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $y0 (f32x4.mul (f32x4.splat (f32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))) (local.get $vi)))
        (local.set $cnt (i32x4.sub (local.get $cnt)
          (v128.and (f32x4.gt (f32x4.abs (local.get $y0)) (local.get $vc)) (v128.const i32x4 -1 0 0 0))))
        ;; --- E2M1 of $y0 into $c0
        (local.set $a (v128.and (local.get $y0) (local.get $absm)))
        (local.set $c0 (i32x4.min_s (local.get $seven) (i32x4.max_s
          (i32x4.shr_s (i32x4.add (i32x4.add (local.get $a) (local.get $kb)) (v128.and (i32x4.shr_u (local.get $a) (i32.const 22)) (local.get $odd))) (i32.const 22))
          (i32x4.abs (i32x4.add (i32x4.gt_s (local.get $a) (local.get $t1)) (i32x4.gt_s (local.get $a) (local.get $t2)))))))
        (local.set $c0 (v128.or (local.get $c0) (i32x4.shl (i32x4.shr_u (local.get $y0) (i32.const 31)) (i32.const 3))))
        (local.set $c0 (v128.bitselect (local.get $vnan) (local.get $c0) (i32x4.gt_s (local.get $a) (local.get $inf))))
        (i32.store8 (i32.add (local.get $q) (local.get $i)) (i32x4.extract_lane 0 (local.get $c0)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l2)))
    (global.set $sat (i32.add (global.get $sat)
      (i32.add (i32.add (i32x4.extract_lane 0 (local.get $cnt)) (i32x4.extract_lane 1 (local.get $cnt)))
               (i32.add (i32x4.extract_lane 2 (local.get $cnt)) (i32x4.extract_lane 3 (local.get $cnt)))))))

  (func (export "quantize")
    (param $src i32) (param $rows i32) (param $cols i32) (param $br i32) (param $bc i32)
    (param $codes i32) (param $scodes i32) (param $scales i32)
    (param $rule i32) (param $elem i32) (param $emax i32) (param $maxv f32) (param $mina f32) (param $rmax f32) (param $nan i32) (param $clip f32)
    (local $tr i32) (local $tc i32) (local $r0 i32) (local $r1 i32) (local $c0 i32) (local $len i32)
    (local $r i32) (local $amax f32) (local $code i32) (local $blk i32) (local $off i32)
    (global.set $sat (i32.const 0))
    (loop $rowsL
      (if (i32.lt_s (local.get $tr) (local.get $rows))
        (then
          (local.set $r0 (local.get $tr))
          (local.set $r1 (i32.add (local.get $tr) (local.get $br)))
          (if (i32.gt_s (local.get $r1) (local.get $rows)) (then (local.set $r1 (local.get $rows))))
          (local.set $tc (i32.const 0))
          (loop $colsL
            (if (i32.lt_s (local.get $tc) (local.get $cols))
              (then
                (local.set $len (i32.sub (local.get $cols) (local.get $tc)))
                (if (i32.gt_s (local.get $len) (local.get $bc)) (then (local.set $len (local.get $bc))))
                (local.set $amax (f32.const 0))
                (local.set $r (local.get $r0))
                (loop $ar
                  (if (i32.lt_s (local.get $r) (local.get $r1))
                    (then
                      (local.set $amax (f32.max (local.get $amax)
                        (call $amax (i32.add (local.get $src)
                          (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $tc)) (i32.const 2)))
                          (local.get $len))))
                      (local.set $r (i32.add (local.get $r) (i32.const 1)))
                      (br $ar))))
                (local.set $code (call $scale (local.get $rule) (local.get $amax) (local.get $emax) (local.get $maxv) (local.get $mina) (local.get $rmax)))
                (i32.store8 (i32.add (local.get $scodes) (local.get $blk)) (local.get $code))
                (f32.store (i32.add (local.get $scales) (i32.shl (local.get $blk) (i32.const 2))) (call $e8m0 (local.get $code)))
                (local.set $r (local.get $r0))
                (loop $er
                  (if (i32.lt_s (local.get $r) (local.get $r1))
                    (then
                      (local.set $off (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $tc)))
                      (if (i32.eq (local.get $code) (i32.const 255))
                        (then (memory.fill (i32.add (local.get $codes) (local.get $off)) (local.get $nan) (local.get $len)))
                        (else (if (i32.and (local.get $elem) (i32.const 1))
                          (then (call $encode_e2m1 (i32.add (local.get $src) (i32.shl (local.get $off) (i32.const 2)))
                            (i32.add (local.get $codes) (local.get $off)) (local.get $len) (global.get $inv) (local.get $nan) (local.get $clip) (local.get $elem)))
                          (else (call $encode_e4m3 (i32.add (local.get $src) (i32.shl (local.get $off) (i32.const 2)))
                            (i32.add (local.get $codes) (local.get $off)) (local.get $len) (global.get $inv) (local.get $nan) (local.get $clip) (local.get $elem))))))
                      (local.set $r (i32.add (local.get $r) (i32.const 1)))
                      (br $er))))
                (local.set $blk (i32.add (local.get $blk) (i32.const 1)))
                (local.set $tc (i32.add (local.get $tc) (local.get $bc)))
                (br $colsL))))
          (local.set $tr (i32.add (local.get $tr) (local.get $br)))
          (br $rowsL)))))

  ;; BF16 (u16 at s) -> float32 (at d), n a positive multiple of 8: a word interleave with zero (exact)
  (func $widen_bf16 (param $s i32) (param $d i32) (param $n i32)
    (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $s) (i32.shl (local.get $n) (i32.const 1))))
    (loop $l
      (local.set $v (v128.load align=2 (local.get $s)))
      (v128.store align=4 (local.get $d) (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (v128.const i32x4 0 0 0 0) (local.get $v)))
      (v128.store offset=16 align=4 (local.get $d) (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (v128.const i32x4 0 0 0 0) (local.get $v)))
      (local.set $s (i32.add (local.get $s) (i32.const 16)))
      (local.set $d (i32.add (local.get $d) (i32.const 32)))
      (br_if $l (i32.lt_u (local.get $s) (local.get $end)))))

  ;; widen_bf16 over a whole matrix (the general tile kernel's input), in place of a JS widening copy
  (func (export "widen_bf16") (param $s i32) (param $d i32) (param $n i32)
    (local $m i32)
    (local.set $m (i32.and (local.get $n) (i32.const -8)))
    (if (local.get $m) (then (call $widen_bf16 (local.get $s) (local.get $d) (local.get $m))))
    (block $e (loop $t
      (br_if $e (i32.ge_u (local.get $m) (local.get $n)))
      (i32.store (i32.add (local.get $d) (i32.shl (local.get $m) (i32.const 2)))
        (i32.shl (i32.load16_u (i32.add (local.get $s) (i32.shl (local.get $m) (i32.const 1)))) (i32.const 16)))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br $t))))

  ;; rows_e4m3: tiles of one row and bc columns (bc a multiple of 16, cols a multiple of bc),
  ;; amax, scale and encoding fused in one pass per block with every constant hoisted.
  (func (export "rows_e4m3")
    (param $src i32) (param $rows i32) (param $cols i32) (param $bc i32)
    (param $codes i32) (param $scodes i32) (param $scales i32)
    (param $rule i32) (param $elem i32) (param $emax i32) (param $maxv f32) (param $mina f32) (param $rmax f32) (param $nan i32) (param $clip f32)
    (param $bf16 i32) (param $scr i32)
    (local $in i32) (local $p i32) (local $q i32) (local $end i32) (local $bend i32) (local $blk i32) (local $code i32) (local $k i32)
    (local $acc v128) (local $amax f32) (local $vi v128) (local $vc v128) (local $cnt v128)
    (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $a v128)
    (local $absm v128) (local $signm v128) (local $inf v128) (local $vnan v128) (local $denorm v128) (local $ovf v128) (local $ovfAt v128)
    (global.set $sat (i32.const 0))
    (local.set $vc (f32x4.splat (local.get $clip)))
    (local.set $absm (i32x4.splat (i32.const 0x7fffffff)))
    (local.set $signm (i32x4.splat (i32.const 0x80000000)))
    (local.set $inf (i32x4.splat (i32.const 0x7f800000)))
    (local.set $vnan (i32x4.splat (local.get $nan)))
    (local.set $denorm (i32x4.splat (i32.const 0x46800000)))
    (local.set $ovf (i32x4.splat (select (i32.const 0x7f) (i32.const 0x7e) (i32.eq (local.get $elem) (i32.const 2)))))
    (local.set $ovfAt (i32x4.splat (i32.const 0x43e80000)))
    (local.set $in (local.get $src))
    (local.set $q (local.get $codes))
    (local.set $end (i32.add (local.get $src) (i32.shl (i32.mul (local.get $rows) (local.get $cols)) (select (i32.const 1) (i32.const 2) (local.get $bf16)))))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $in) (local.get $end)))
        ;; BF16 input: widen this block into the scratch (L1-resident), then run on float32
        (if (local.get $bf16)
          (then
            (call $widen_bf16 (local.get $in) (local.get $scr) (local.get $bc))
            (local.set $p (local.get $scr))
            (local.set $in (i32.add (local.get $in) (i32.shl (local.get $bc) (i32.const 1)))))
          (else
            (local.set $p (local.get $in))
            (local.set $in (i32.add (local.get $in) (i32.shl (local.get $bc) (i32.const 2))))))
        (local.set $bend (i32.add (local.get $p) (i32.shl (local.get $bc) (i32.const 2))))
        ;; amax of the block (integer max of |x| bits, see $amax)
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $k (local.get $p))
        (loop $am
          (local.set $acc (i32x4.max_s (i32x4.max_s (local.get $acc) (v128.and (local.get $absm) (v128.load align=4 (local.get $k))))
            (i32x4.max_s (v128.and (local.get $absm) (v128.load offset=16 align=4 (local.get $k)))
              (i32x4.max_s (v128.and (local.get $absm) (v128.load offset=32 align=4 (local.get $k))) (v128.and (local.get $absm) (v128.load offset=48 align=4 (local.get $k)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 64)))
          (br_if $am (i32.lt_u (local.get $k) (local.get $bend))))
        (local.set $amax (f32.max (f32.max (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                                  (f32.max (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (if (i32.eq (local.get $rule) (i32.const 1))
          (then
            ;; FLOOR inline (the common MX rule): clamp(exponent field of amax - emax, 0, 255);
            ;; NaN and Inf amax have the field 255 and give the NaN scale
            (local.set $k (i32.and (i32.shr_u (i32.reinterpret_f32 (local.get $amax)) (i32.const 23)) (i32.const 255)))
            (local.set $code (i32.sub (local.get $k) (local.get $emax)))
            (local.set $code (select (i32.const 0) (local.get $code) (i32.lt_s (local.get $code) (i32.const 0))))
            (local.set $code (select (i32.const 255) (local.get $code) (i32.eq (local.get $k) (i32.const 255))))
            (global.set $inv (f32.reinterpret_i32
              (select (i32.const 0x7fc00000)
                (select (i32.const 0x00400000) (i32.shl (i32.sub (i32.const 254) (local.get $code)) (i32.const 23))
                  (i32.eq (local.get $code) (i32.const 254)))
                (i32.eq (local.get $code) (i32.const 255)))))
            (f32.store (i32.add (local.get $scales) (i32.shl (local.get $blk) (i32.const 2)))
              (f32.reinterpret_i32
                (select (i32.const 0x7fc00000)
                  (select (i32.const 0x00400000) (i32.shl (local.get $code) (i32.const 23)) (i32.eqz (local.get $code)))
                  (i32.eq (local.get $code) (i32.const 255))))))
          (else
            (local.set $code (call $scale (local.get $rule) (local.get $amax) (local.get $emax) (local.get $maxv) (local.get $mina) (local.get $rmax)))
            (f32.store (i32.add (local.get $scales) (i32.shl (local.get $blk) (i32.const 2))) (call $e8m0 (local.get $code)))))
        (i32.store8 (i32.add (local.get $scodes) (local.get $blk)) (local.get $code))
        (if (i32.eq (local.get $code) (i32.const 255))
          (then
            (memory.fill (local.get $q) (local.get $nan) (local.get $bc))
            (local.set $q (i32.add (local.get $q) (local.get $bc))))
          (else
            (local.set $vi (f32x4.splat (global.get $inv)))
            ;; count clipped elements only in blocks whose scaled amax passes the clip threshold (or is NaN)
            (if (i32.eqz (f32.le (f32.mul (local.get $amax) (global.get $inv)) (local.get $clip)))
              (then
                (local.set $k (local.get $p))
                (loop $clipL
                  (local.set $cnt (i32x4.sub (local.get $cnt)
                    (f32x4.gt (f32x4.abs (f32x4.mul (v128.load align=4 (local.get $k)) (local.get $vi))) (local.get $vc))))
                  (local.set $k (i32.add (local.get $k) (i32.const 16)))
                  (br_if $clipL (i32.lt_u (local.get $k) (local.get $bend))))))
            (local.set $k (local.get $p))
            (loop $enc
              (local.set $y0 (f32x4.mul (v128.load align=4 (local.get $k)) (local.get $vi)))
              (local.set $y1 (f32x4.mul (v128.load offset=16 align=4 (local.get $k)) (local.get $vi)))
              (local.set $y2 (f32x4.mul (v128.load offset=32 align=4 (local.get $k)) (local.get $vi)))
              (local.set $y3 (f32x4.mul (v128.load offset=48 align=4 (local.get $k)) (local.get $vi)))
            (local.set $a (v128.and (local.get $y0) (local.get $absm)))
            (local.set $c0 (i32x4.shr_u
              (i32x4.add (i32x4.add (local.get $a) (i32x4.splat (i32.const 0xc407ffff)))
                         (v128.and (i32x4.shr_u (local.get $a) (i32.const 20)) (i32x4.splat (i32.const 1))))
              (i32.const 20)))
            (local.set $c0 (v128.bitselect
              (i32x4.sub (f32x4.add (local.get $a) (local.get $denorm)) (local.get $denorm))
              (local.get $c0)
              (i32x4.lt_s (local.get $a) (i32x4.splat (i32.const 0x3c800000)))))
            (local.set $c0 (i32x4.min_u (local.get $c0) (i32x4.splat (i32.const 0x7e))))
            (local.set $c0 (i32x4.max_s (local.get $c0) (v128.and (local.get $ovf) (i32x4.gt_s (local.get $a) (local.get $ovfAt)))))
            (local.set $c0 (i32x4.max_s (local.get $c0) (v128.and (local.get $vnan) (i32x4.gt_s (local.get $a) (local.get $inf)))))
            (local.set $c0 (v128.or (local.get $c0) (i32x4.shr_u (v128.and (local.get $y0) (local.get $signm)) (i32.const 24))))
            (local.set $a (v128.and (local.get $y1) (local.get $absm)))
            (local.set $c1 (i32x4.shr_u
              (i32x4.add (i32x4.add (local.get $a) (i32x4.splat (i32.const 0xc407ffff)))
                         (v128.and (i32x4.shr_u (local.get $a) (i32.const 20)) (i32x4.splat (i32.const 1))))
              (i32.const 20)))
            (local.set $c1 (v128.bitselect
              (i32x4.sub (f32x4.add (local.get $a) (local.get $denorm)) (local.get $denorm))
              (local.get $c1)
              (i32x4.lt_s (local.get $a) (i32x4.splat (i32.const 0x3c800000)))))
            (local.set $c1 (i32x4.min_u (local.get $c1) (i32x4.splat (i32.const 0x7e))))
            (local.set $c1 (i32x4.max_s (local.get $c1) (v128.and (local.get $ovf) (i32x4.gt_s (local.get $a) (local.get $ovfAt)))))
            (local.set $c1 (i32x4.max_s (local.get $c1) (v128.and (local.get $vnan) (i32x4.gt_s (local.get $a) (local.get $inf)))))
            (local.set $c1 (v128.or (local.get $c1) (i32x4.shr_u (v128.and (local.get $y1) (local.get $signm)) (i32.const 24))))
            (local.set $a (v128.and (local.get $y2) (local.get $absm)))
            (local.set $c2 (i32x4.shr_u
              (i32x4.add (i32x4.add (local.get $a) (i32x4.splat (i32.const 0xc407ffff)))
                         (v128.and (i32x4.shr_u (local.get $a) (i32.const 20)) (i32x4.splat (i32.const 1))))
              (i32.const 20)))
            (local.set $c2 (v128.bitselect
              (i32x4.sub (f32x4.add (local.get $a) (local.get $denorm)) (local.get $denorm))
              (local.get $c2)
              (i32x4.lt_s (local.get $a) (i32x4.splat (i32.const 0x3c800000)))))
            (local.set $c2 (i32x4.min_u (local.get $c2) (i32x4.splat (i32.const 0x7e))))
            (local.set $c2 (i32x4.max_s (local.get $c2) (v128.and (local.get $ovf) (i32x4.gt_s (local.get $a) (local.get $ovfAt)))))
            (local.set $c2 (i32x4.max_s (local.get $c2) (v128.and (local.get $vnan) (i32x4.gt_s (local.get $a) (local.get $inf)))))
            (local.set $c2 (v128.or (local.get $c2) (i32x4.shr_u (v128.and (local.get $y2) (local.get $signm)) (i32.const 24))))
            (local.set $a (v128.and (local.get $y3) (local.get $absm)))
            (local.set $c3 (i32x4.shr_u
              (i32x4.add (i32x4.add (local.get $a) (i32x4.splat (i32.const 0xc407ffff)))
                         (v128.and (i32x4.shr_u (local.get $a) (i32.const 20)) (i32x4.splat (i32.const 1))))
              (i32.const 20)))
            (local.set $c3 (v128.bitselect
              (i32x4.sub (f32x4.add (local.get $a) (local.get $denorm)) (local.get $denorm))
              (local.get $c3)
              (i32x4.lt_s (local.get $a) (i32x4.splat (i32.const 0x3c800000)))))
            (local.set $c3 (i32x4.min_u (local.get $c3) (i32x4.splat (i32.const 0x7e))))
            (local.set $c3 (i32x4.max_s (local.get $c3) (v128.and (local.get $ovf) (i32x4.gt_s (local.get $a) (local.get $ovfAt)))))
            (local.set $c3 (i32x4.max_s (local.get $c3) (v128.and (local.get $vnan) (i32x4.gt_s (local.get $a) (local.get $inf)))))
            (local.set $c3 (v128.or (local.get $c3) (i32x4.shr_u (v128.and (local.get $y3) (local.get $signm)) (i32.const 24))))
              (v128.store align=1 (local.get $q)
                (i8x16.narrow_i16x8_u
                  (i16x8.narrow_i32x4_u (local.get $c0) (local.get $c1))
                  (i16x8.narrow_i32x4_u (local.get $c2) (local.get $c3))))
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (local.set $k (i32.add (local.get $k) (i32.const 64)))
              (br_if $enc (i32.lt_u (local.get $k) (local.get $bend))))))
        (local.set $blk (i32.add (local.get $blk) (i32.const 1)))
        (br $blocks)))
    (global.set $sat (i32.add (global.get $sat)
      (i32.add (i32.add (i32x4.extract_lane 0 (local.get $cnt)) (i32x4.extract_lane 1 (local.get $cnt)))
               (i32.add (i32x4.extract_lane 2 (local.get $cnt)) (i32x4.extract_lane 3 (local.get $cnt)))))))

  ;; rows_e2m1: tiles of one row and bc columns (bc a multiple of 16, cols a multiple of bc),
  ;; amax, scale and encoding fused in one pass per block with every constant hoisted.
  (func (export "rows_e2m1")
    (param $src i32) (param $rows i32) (param $cols i32) (param $bc i32)
    (param $codes i32) (param $scodes i32) (param $scales i32)
    (param $rule i32) (param $elem i32) (param $emax i32) (param $maxv f32) (param $mina f32) (param $rmax f32) (param $nan i32) (param $clip f32)
    (param $bf16 i32) (param $scr i32)
    (local $in i32) (local $p i32) (local $q i32) (local $end i32) (local $bend i32) (local $blk i32) (local $code i32) (local $k i32)
    (local $acc v128) (local $amax f32) (local $vi v128) (local $vc v128) (local $cnt v128)
    (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $a v128)
    (local $absm v128) (local $signm v128) (local $inf v128) (local $vnan v128) (local $denorm v128) (local $ovf v128) (local $ovfAt v128)
    (local $t1 v128) (local $t2 v128) (local $kb v128) (local $odd v128) (local $seven v128)
    (global.set $sat (i32.const 0))
    (local.set $vc (f32x4.splat (local.get $clip)))
    (local.set $absm (i32x4.splat (i32.const 0x7fffffff)))
    (local.set $signm (i32x4.splat (i32.const 0x80000000)))
    (local.set $inf (i32x4.splat (i32.const 0x7f800000)))
    (local.set $vnan (i32x4.splat (local.get $nan)))
    (local.set $denorm (i32x4.splat (i32.const 0x46800000)))
    (local.set $ovf (i32x4.splat (select (i32.const 0x7f) (i32.const 0x7e) (i32.eq (local.get $elem) (i32.const 2)))))
    (local.set $ovfAt (i32x4.splat (i32.const 0x43e80000)))
    ;; E2M1 magnitude code of a = |y| bits, to nearest even (elem 1) or ties away (elem 3),
    ;; saturating: min(7, max(cn, cs)). For |y| >= 1, cn = (a + kb + odd) >> 22 (arithmetic): adding
    ;; 2^21 - 1, plus the kept mantissa bit for ties to even (2^21 for ties away), rounds the 22
    ;; dropped bits into the one mantissa bit, carrying into the exponent; kb also subtracts
    ;; 252 << 22, the bits of 1.0 >> 22 less its code 2. Below 1, cn is at most the right code
    ;; and cs counts the two thresholds passed (0.25: a tie stays down to even 0, goes up
    ;; when ties away; 0.75 always goes up), compared as integer bits.
    (local.set $t1 (i32x4.splat (i32.sub (i32.const 0x3e800000) (i32.eq (local.get $elem) (i32.const 3)))))
    (local.set $t2 (i32x4.splat (i32.const 0x3f3fffff)))
    (local.set $kb (i32x4.splat (select (i32.const 0xc1200000) (i32.const 0xc11fffff) (i32.eq (local.get $elem) (i32.const 3)))))
    (local.set $odd (i32x4.splat (i32.ne (local.get $elem) (i32.const 3))))
    (local.set $seven (i32x4.splat (i32.const 7)))
    (local.set $in (local.get $src))
    (local.set $q (local.get $codes))
    (local.set $end (i32.add (local.get $src) (i32.shl (i32.mul (local.get $rows) (local.get $cols)) (select (i32.const 1) (i32.const 2) (local.get $bf16)))))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $in) (local.get $end)))
        ;; BF16 input: widen this block into the scratch (L1-resident), then run on float32
        (if (local.get $bf16)
          (then
            (call $widen_bf16 (local.get $in) (local.get $scr) (local.get $bc))
            (local.set $p (local.get $scr))
            (local.set $in (i32.add (local.get $in) (i32.shl (local.get $bc) (i32.const 1)))))
          (else
            (local.set $p (local.get $in))
            (local.set $in (i32.add (local.get $in) (i32.shl (local.get $bc) (i32.const 2))))))
        (local.set $bend (i32.add (local.get $p) (i32.shl (local.get $bc) (i32.const 2))))
        ;; amax of the block (integer max of |x| bits, see $amax)
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $k (local.get $p))
        (loop $am
          (local.set $acc (i32x4.max_s (i32x4.max_s (local.get $acc) (v128.and (local.get $absm) (v128.load align=4 (local.get $k))))
            (i32x4.max_s (v128.and (local.get $absm) (v128.load offset=16 align=4 (local.get $k)))
              (i32x4.max_s (v128.and (local.get $absm) (v128.load offset=32 align=4 (local.get $k))) (v128.and (local.get $absm) (v128.load offset=48 align=4 (local.get $k)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 64)))
          (br_if $am (i32.lt_u (local.get $k) (local.get $bend))))
        (local.set $amax (f32.max (f32.max (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                                  (f32.max (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (if (i32.eq (local.get $rule) (i32.const 1))
          (then
            ;; FLOOR inline (the common MX rule): clamp(exponent field of amax - emax, 0, 255);
            ;; NaN and Inf amax have the field 255 and give the NaN scale
            (local.set $k (i32.and (i32.shr_u (i32.reinterpret_f32 (local.get $amax)) (i32.const 23)) (i32.const 255)))
            (local.set $code (i32.sub (local.get $k) (local.get $emax)))
            (local.set $code (select (i32.const 0) (local.get $code) (i32.lt_s (local.get $code) (i32.const 0))))
            (local.set $code (select (i32.const 255) (local.get $code) (i32.eq (local.get $k) (i32.const 255))))
            (global.set $inv (f32.reinterpret_i32
              (select (i32.const 0x7fc00000)
                (select (i32.const 0x00400000) (i32.shl (i32.sub (i32.const 254) (local.get $code)) (i32.const 23))
                  (i32.eq (local.get $code) (i32.const 254)))
                (i32.eq (local.get $code) (i32.const 255)))))
            (f32.store (i32.add (local.get $scales) (i32.shl (local.get $blk) (i32.const 2)))
              (f32.reinterpret_i32
                (select (i32.const 0x7fc00000)
                  (select (i32.const 0x00400000) (i32.shl (local.get $code) (i32.const 23)) (i32.eqz (local.get $code)))
                  (i32.eq (local.get $code) (i32.const 255))))))
          (else
            (local.set $code (call $scale (local.get $rule) (local.get $amax) (local.get $emax) (local.get $maxv) (local.get $mina) (local.get $rmax)))
            (f32.store (i32.add (local.get $scales) (i32.shl (local.get $blk) (i32.const 2))) (call $e8m0 (local.get $code)))))
        (i32.store8 (i32.add (local.get $scodes) (local.get $blk)) (local.get $code))
        (if (i32.eq (local.get $code) (i32.const 255))
          (then
            (memory.fill (local.get $q) (local.get $nan) (local.get $bc))
            (local.set $q (i32.add (local.get $q) (local.get $bc))))
          (else
            (local.set $vi (f32x4.splat (global.get $inv)))
            ;; count clipped elements only in blocks whose scaled amax passes the clip threshold (or is NaN)
            (if (i32.eqz (f32.le (f32.mul (local.get $amax) (global.get $inv)) (local.get $clip)))
              (then
                (local.set $k (local.get $p))
                (loop $clipL
                  (local.set $cnt (i32x4.sub (local.get $cnt)
                    (f32x4.gt (f32x4.abs (f32x4.mul (v128.load align=4 (local.get $k)) (local.get $vi))) (local.get $vc))))
                  (local.set $k (i32.add (local.get $k) (i32.const 16)))
                  (br_if $clipL (i32.lt_u (local.get $k) (local.get $bend))))))
            (local.set $k (local.get $p))
            (loop $enc
              (local.set $y0 (f32x4.mul (v128.load align=4 (local.get $k)) (local.get $vi)))
              (local.set $y1 (f32x4.mul (v128.load offset=16 align=4 (local.get $k)) (local.get $vi)))
              (local.set $y2 (f32x4.mul (v128.load offset=32 align=4 (local.get $k)) (local.get $vi)))
              (local.set $y3 (f32x4.mul (v128.load offset=48 align=4 (local.get $k)) (local.get $vi)))
            (local.set $a (v128.and (local.get $y0) (local.get $absm)))
            (local.set $c0 (i32x4.min_s (local.get $seven) (i32x4.max_s
              (i32x4.shr_s (i32x4.add (i32x4.add (local.get $a) (local.get $kb)) (v128.and (i32x4.shr_u (local.get $a) (i32.const 22)) (local.get $odd))) (i32.const 22))
              (i32x4.abs (i32x4.add (i32x4.gt_s (local.get $a) (local.get $t1)) (i32x4.gt_s (local.get $a) (local.get $t2)))))))
            (local.set $c0 (v128.or (local.get $c0) (i32x4.shl (i32x4.shr_u (local.get $y0) (i32.const 31)) (i32.const 3))))
            (local.set $c0 (v128.bitselect (local.get $vnan) (local.get $c0) (i32x4.gt_s (local.get $a) (local.get $inf))))
            (local.set $a (v128.and (local.get $y1) (local.get $absm)))
            (local.set $c1 (i32x4.min_s (local.get $seven) (i32x4.max_s
              (i32x4.shr_s (i32x4.add (i32x4.add (local.get $a) (local.get $kb)) (v128.and (i32x4.shr_u (local.get $a) (i32.const 22)) (local.get $odd))) (i32.const 22))
              (i32x4.abs (i32x4.add (i32x4.gt_s (local.get $a) (local.get $t1)) (i32x4.gt_s (local.get $a) (local.get $t2)))))))
            (local.set $c1 (v128.or (local.get $c1) (i32x4.shl (i32x4.shr_u (local.get $y1) (i32.const 31)) (i32.const 3))))
            (local.set $c1 (v128.bitselect (local.get $vnan) (local.get $c1) (i32x4.gt_s (local.get $a) (local.get $inf))))
            (local.set $a (v128.and (local.get $y2) (local.get $absm)))
            (local.set $c2 (i32x4.min_s (local.get $seven) (i32x4.max_s
              (i32x4.shr_s (i32x4.add (i32x4.add (local.get $a) (local.get $kb)) (v128.and (i32x4.shr_u (local.get $a) (i32.const 22)) (local.get $odd))) (i32.const 22))
              (i32x4.abs (i32x4.add (i32x4.gt_s (local.get $a) (local.get $t1)) (i32x4.gt_s (local.get $a) (local.get $t2)))))))
            (local.set $c2 (v128.or (local.get $c2) (i32x4.shl (i32x4.shr_u (local.get $y2) (i32.const 31)) (i32.const 3))))
            (local.set $c2 (v128.bitselect (local.get $vnan) (local.get $c2) (i32x4.gt_s (local.get $a) (local.get $inf))))
            (local.set $a (v128.and (local.get $y3) (local.get $absm)))
            (local.set $c3 (i32x4.min_s (local.get $seven) (i32x4.max_s
              (i32x4.shr_s (i32x4.add (i32x4.add (local.get $a) (local.get $kb)) (v128.and (i32x4.shr_u (local.get $a) (i32.const 22)) (local.get $odd))) (i32.const 22))
              (i32x4.abs (i32x4.add (i32x4.gt_s (local.get $a) (local.get $t1)) (i32x4.gt_s (local.get $a) (local.get $t2)))))))
            (local.set $c3 (v128.or (local.get $c3) (i32x4.shl (i32x4.shr_u (local.get $y3) (i32.const 31)) (i32.const 3))))
            (local.set $c3 (v128.bitselect (local.get $vnan) (local.get $c3) (i32x4.gt_s (local.get $a) (local.get $inf))))
              (v128.store align=1 (local.get $q)
                (i8x16.narrow_i16x8_u
                  (i16x8.narrow_i32x4_u (local.get $c0) (local.get $c1))
                  (i16x8.narrow_i32x4_u (local.get $c2) (local.get $c3))))
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (local.set $k (i32.add (local.get $k) (i32.const 64)))
              (br_if $enc (i32.lt_u (local.get $k) (local.get $bend))))))
        (local.set $blk (i32.add (local.get $blk) (i32.const 1)))
        (br $blocks)))
    (global.set $sat (i32.add (global.get $sat)
      (i32.add (i32.add (i32x4.extract_lane 0 (local.get $cnt)) (i32x4.extract_lane 1 (local.get $cnt)))
               (i32.add (i32x4.extract_lane 2 (local.get $cnt)) (i32x4.extract_lane 3 (local.get $cnt)))))))

  ;; 16 codes -> 16 float32 at out, times scale
  (func $dec16 (param $v v128) (param $out i32) (param $elem i32) (param $s v128)
    (local $w0 v128) (local $w1 v128) (local $m v128) (local $sg v128) (local $i v128)
    (if (i32.eqz (local.get $elem))
      (then
        ;; E4M3: (code & 0x7f) << 20 read as a float, times 2^120; NaN where code & 0x7f is 0x7f
        (local.set $w0 (i16x8.extend_low_i8x16_u (local.get $v)))
        (local.set $w1 (i16x8.extend_high_i8x16_u (local.get $v)))
        (call $e4m3x4 (i32x4.extend_low_i16x8_u (local.get $w0)) (local.get $out) (local.get $s))
        (call $e4m3x4 (i32x4.extend_high_i16x8_u (local.get $w0)) (i32.add (local.get $out) (i32.const 16)) (local.get $s))
        (call $e4m3x4 (i32x4.extend_low_i16x8_u (local.get $w1)) (i32.add (local.get $out) (i32.const 32)) (local.get $s))
        (call $e4m3x4 (i32x4.extend_high_i16x8_u (local.get $w1)) (i32.add (local.get $out) (i32.const 48)) (local.get $s)))
      (else
        ;; E2M1: magnitude (x2) by swizzle from the table at address 0, sign from bit 3
        (local.set $m (i8x16.swizzle (v128.load (i32.const 0)) (v128.and (local.get $v) (i8x16.splat (i32.const 7)))))
        (local.set $sg (v128.and (local.get $v) (i8x16.splat (i32.const 8))))
        (local.set $w0 (i16x8.extend_low_i8x16_u (local.get $m)))
        (local.set $w1 (i16x8.extend_high_i8x16_u (local.get $m)))
        (local.set $i (i16x8.extend_low_i8x16_u (local.get $sg)))
        (call $e2m1x4 (i32x4.extend_low_i16x8_u (local.get $w0)) (i32x4.extend_low_i16x8_u (local.get $i)) (local.get $out) (local.get $s))
        (call $e2m1x4 (i32x4.extend_high_i16x8_u (local.get $w0)) (i32x4.extend_high_i16x8_u (local.get $i)) (i32.add (local.get $out) (i32.const 16)) (local.get $s))
        (local.set $i (i16x8.extend_high_i8x16_u (local.get $sg)))
        (call $e2m1x4 (i32x4.extend_low_i16x8_u (local.get $w1)) (i32x4.extend_low_i16x8_u (local.get $i)) (i32.add (local.get $out) (i32.const 32)) (local.get $s))
        (call $e2m1x4 (i32x4.extend_high_i16x8_u (local.get $w1)) (i32x4.extend_high_i16x8_u (local.get $i)) (i32.add (local.get $out) (i32.const 48)) (local.get $s)))))

  (func $e4m3x4 (param $c v128) (param $out i32) (param $s v128)
    (local $m v128) (local $f v128)
    (local.set $m (v128.and (local.get $c) (i32x4.splat (i32.const 0x7f))))
    (local.set $f (f32x4.mul (i32x4.shl (local.get $m) (i32.const 20)) (f32x4.splat (f32.const 0x1p120))))
    (local.set $f (v128.bitselect (f32x4.splat (f32.const nan)) (local.get $f) (i32x4.eq (local.get $m) (i32x4.splat (i32.const 0x7f)))))
    (local.set $f (v128.or (local.get $f) (i32x4.shl (v128.and (local.get $c) (i32x4.splat (i32.const 0x80))) (i32.const 24))))
    (v128.store align=4 (local.get $out) (f32x4.mul (local.get $f) (local.get $s))))

  (func $e2m1x4 (param $m v128) (param $sg v128) (param $out i32) (param $s v128)
    (local $f v128)
    (local.set $f (f32x4.mul (f32x4.convert_i32x4_u (local.get $m)) (f32x4.splat (f32.const 0.5))))
    (local.set $f (v128.or (local.get $f) (i32x4.shl (local.get $sg) (i32.const 28))))
    (v128.store align=4 (local.get $out) (f32x4.mul (local.get $f) (local.get $s))))

  (func (export "dequantize")
    (param $codes i32) (param $rows i32) (param $cols i32) (param $br i32) (param $bc i32)
    (param $scales i32) (param $out i32) (param $elem i32) (param $tmp i32)
    (local $tr i32) (local $tc i32) (local $r1 i32) (local $len i32) (local $r i32) (local $blk i32)
    (local $s v128) (local $off i32) (local $i i32)
    (loop $rowsL
      (if (i32.lt_s (local.get $tr) (local.get $rows))
        (then
          (local.set $r1 (i32.add (local.get $tr) (local.get $br)))
          (if (i32.gt_s (local.get $r1) (local.get $rows)) (then (local.set $r1 (local.get $rows))))
          (local.set $tc (i32.const 0))
          (loop $colsL
            (if (i32.lt_s (local.get $tc) (local.get $cols))
              (then
                (local.set $len (i32.sub (local.get $cols) (local.get $tc)))
                (if (i32.gt_s (local.get $len) (local.get $bc)) (then (local.set $len (local.get $bc))))
                (local.set $s (f32x4.splat (f32.load (i32.add (local.get $scales) (i32.shl (local.get $blk) (i32.const 2))))))
                (local.set $r (local.get $tr))
                (loop $er
                  (if (i32.lt_s (local.get $r) (local.get $r1))
                    (then
                      (local.set $off (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $tc)))
                      (local.set $i (i32.const 0))
                      (block $done
                        (loop $l
                          (br_if $done (i32.gt_s (i32.add (local.get $i) (i32.const 16)) (local.get $len)))
                          (call $dec16 (v128.load align=1 (i32.add (i32.add (local.get $codes) (local.get $off)) (local.get $i)))
                            (i32.add (local.get $out) (i32.shl (i32.add (local.get $off) (local.get $i)) (i32.const 2)))
                            (local.get $elem) (local.get $s))
                          (local.set $i (i32.add (local.get $i) (i32.const 16)))
                          (br $l)))
                      (if (i32.lt_s (local.get $i) (local.get $len))
                        (then
                          ;; tail: copy the codes to a 16-byte scratch, decode 16, copy back what is valid
                          (v128.store (local.get $tmp) (v128.const i32x4 0 0 0 0))
                          (memory.copy (local.get $tmp) (i32.add (i32.add (local.get $codes) (local.get $off)) (local.get $i))
                            (i32.sub (local.get $len) (local.get $i)))
                          (call $dec16 (v128.load (local.get $tmp)) (i32.add (local.get $tmp) (i32.const 16)) (local.get $elem) (local.get $s))
                          (memory.copy (i32.add (local.get $out) (i32.shl (i32.add (local.get $off) (local.get $i)) (i32.const 2)))
                            (i32.add (local.get $tmp) (i32.const 16))
                            (i32.shl (i32.sub (local.get $len) (local.get $i)) (i32.const 2)))))
                      (local.set $r (i32.add (local.get $r) (i32.const 1)))
                      (br $er))))
                (local.set $blk (i32.add (local.get $blk) (i32.const 1)))
                (local.set $tc (i32.add (local.get $tc) (local.get $bc)))
                (br $colsL))))
          (local.set $tr (i32.add (local.get $tr) (local.get $br)))
          (br $rowsL)))))
)
