;; Block quantize / dequantize kernels, WebAssembly SIMD (hand-written).
;; A [rows, cols] float32 matrix in tiles of [br, bc]; one code per element (u8); per tile a
;; scale byte (E8M0) and a float32 dequantization scale. Bit-exact with quant/quantize.ts for:
;;   rule 0: s = max(amax, minAmax) / maxValue, ceiled to 2^k from its bits (DeepGEMM ceil_to_ue8m0)
;;   rule 1: E8M0 = exponent bits of amax - emax (OCP / torchao FLOOR)
;;   rule 2: E8M0 = ceil-to-2^k of amax * (1/maxValue) (cuBLAS / torchao RCEIL)
;;   elem 0: E4M3FN, round to nearest even, saturating; 2: the same, not saturating (torch);
;;   elem 1: E2M1, round to nearest even, saturating.
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

  ;; max |x| over n floats at p (NaN if any is NaN)
  (func $amax (param $p i32) (param $n i32) (result f32)
    (local $acc v128) (local $i i32) (local $m f32)
    (local.set $acc (v128.const f32x4 0 0 0 0))
    (block $done
      (loop $l
        (br_if $done (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $acc (f32x4.max (local.get $acc)
          (f32x4.abs (v128.load align=4 (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l)))
    (if (i32.lt_s (local.get $i) (local.get $n))
      (then
        (local.set $acc (f32x4.max (local.get $acc)
          (v128.and
            (f32x4.abs (v128.load align=4 (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
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
          (i32x4.lt_u (local.get $a) (i32x4.splat (i32.const 0x3c800000)))))
        (local.set $c0 (i32x4.min_u (local.get $c0) (i32x4.splat (i32.const 0x7e))))
        (local.set $c0 (v128.bitselect (local.get $ovf) (local.get $c0) (i32x4.gt_u (local.get $a) (local.get $ovfAt))))
        (local.set $c0 (v128.bitselect (local.get $vnan) (local.get $c0) (i32x4.gt_u (local.get $a) (local.get $inf))))
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
          (i32x4.lt_u (local.get $a) (i32x4.splat (i32.const 0x3c800000)))))
        (local.set $c1 (i32x4.min_u (local.get $c1) (i32x4.splat (i32.const 0x7e))))
        (local.set $c1 (v128.bitselect (local.get $ovf) (local.get $c1) (i32x4.gt_u (local.get $a) (local.get $ovfAt))))
        (local.set $c1 (v128.bitselect (local.get $vnan) (local.get $c1) (i32x4.gt_u (local.get $a) (local.get $inf))))
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
          (i32x4.lt_u (local.get $a) (i32x4.splat (i32.const 0x3c800000)))))
        (local.set $c2 (i32x4.min_u (local.get $c2) (i32x4.splat (i32.const 0x7e))))
        (local.set $c2 (v128.bitselect (local.get $ovf) (local.get $c2) (i32x4.gt_u (local.get $a) (local.get $ovfAt))))
        (local.set $c2 (v128.bitselect (local.get $vnan) (local.get $c2) (i32x4.gt_u (local.get $a) (local.get $inf))))
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
          (i32x4.lt_u (local.get $a) (i32x4.splat (i32.const 0x3c800000)))))
        (local.set $c3 (i32x4.min_u (local.get $c3) (i32x4.splat (i32.const 0x7e))))
        (local.set $c3 (v128.bitselect (local.get $ovf) (local.get $c3) (i32x4.gt_u (local.get $a) (local.get $ovfAt))))
        (local.set $c3 (v128.bitselect (local.get $vnan) (local.get $c3) (i32x4.gt_u (local.get $a) (local.get $inf))))
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
          (i32x4.lt_u (local.get $a) (i32x4.splat (i32.const 0x3c800000)))))
        (local.set $c0 (i32x4.min_u (local.get $c0) (i32x4.splat (i32.const 0x7e))))
        (local.set $c0 (v128.bitselect (local.get $ovf) (local.get $c0) (i32x4.gt_u (local.get $a) (local.get $ovfAt))))
        (local.set $c0 (v128.bitselect (local.get $vnan) (local.get $c0) (i32x4.gt_u (local.get $a) (local.get $inf))))
        (local.set $c0 (v128.or (local.get $c0) (i32x4.shr_u (v128.and (local.get $y0) (local.get $signm)) (i32.const 24))))
        (i32.store8 (i32.add (local.get $q) (local.get $i)) (i32x4.extract_lane 0 (local.get $c0)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l2)))
    (global.set $sat (i32.add (global.get $sat)
      (i32.add (i32.add (i32x4.extract_lane 0 (local.get $cnt)) (i32x4.extract_lane 1 (local.get $cnt)))
               (i32.add (i32x4.extract_lane 2 (local.get $cnt)) (i32x4.extract_lane 3 (local.get $cnt)))))))

  ;; encode_e2m1: codes of n floats at p scaled by inv, as bytes at q; counts |x*inv| > clip in $sat
  (func $encode_e2m1 (param $p i32) (param $q i32) (param $n i32) (param $inv f32) (param $nan i32) (param $clip f32) (param $elem i32)
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
        ;; --- E2M1 of $y0 into $c0
        (local.set $a (v128.and (local.get $y0) (local.get $absm)))
        (local.set $c0 (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub
          (v128.const i32x4 0 0 0 0)
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 0.25))))
          (f32x4.ge (local.get $a) (f32x4.splat (f32.const 0.75))))
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 1.25))))
          (f32x4.ge (local.get $a) (f32x4.splat (f32.const 1.75))))
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 2.5))))
          (f32x4.ge (local.get $a) (f32x4.splat (f32.const 3.5))))
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 5)))))
        (local.set $c0 (v128.or (local.get $c0) (i32x4.shr_u (v128.and (local.get $y0) (local.get $signm)) (i32.const 28))))
        (local.set $c0 (v128.bitselect (local.get $vnan) (local.get $c0) (i32x4.gt_u (local.get $a) (local.get $inf))))
        ;; --- E2M1 of $y1 into $c1
        (local.set $a (v128.and (local.get $y1) (local.get $absm)))
        (local.set $c1 (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub
          (v128.const i32x4 0 0 0 0)
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 0.25))))
          (f32x4.ge (local.get $a) (f32x4.splat (f32.const 0.75))))
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 1.25))))
          (f32x4.ge (local.get $a) (f32x4.splat (f32.const 1.75))))
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 2.5))))
          (f32x4.ge (local.get $a) (f32x4.splat (f32.const 3.5))))
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 5)))))
        (local.set $c1 (v128.or (local.get $c1) (i32x4.shr_u (v128.and (local.get $y1) (local.get $signm)) (i32.const 28))))
        (local.set $c1 (v128.bitselect (local.get $vnan) (local.get $c1) (i32x4.gt_u (local.get $a) (local.get $inf))))
        ;; --- E2M1 of $y2 into $c2
        (local.set $a (v128.and (local.get $y2) (local.get $absm)))
        (local.set $c2 (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub
          (v128.const i32x4 0 0 0 0)
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 0.25))))
          (f32x4.ge (local.get $a) (f32x4.splat (f32.const 0.75))))
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 1.25))))
          (f32x4.ge (local.get $a) (f32x4.splat (f32.const 1.75))))
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 2.5))))
          (f32x4.ge (local.get $a) (f32x4.splat (f32.const 3.5))))
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 5)))))
        (local.set $c2 (v128.or (local.get $c2) (i32x4.shr_u (v128.and (local.get $y2) (local.get $signm)) (i32.const 28))))
        (local.set $c2 (v128.bitselect (local.get $vnan) (local.get $c2) (i32x4.gt_u (local.get $a) (local.get $inf))))
        ;; --- E2M1 of $y3 into $c3
        (local.set $a (v128.and (local.get $y3) (local.get $absm)))
        (local.set $c3 (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub
          (v128.const i32x4 0 0 0 0)
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 0.25))))
          (f32x4.ge (local.get $a) (f32x4.splat (f32.const 0.75))))
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 1.25))))
          (f32x4.ge (local.get $a) (f32x4.splat (f32.const 1.75))))
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 2.5))))
          (f32x4.ge (local.get $a) (f32x4.splat (f32.const 3.5))))
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 5)))))
        (local.set $c3 (v128.or (local.get $c3) (i32x4.shr_u (v128.and (local.get $y3) (local.get $signm)) (i32.const 28))))
        (local.set $c3 (v128.bitselect (local.get $vnan) (local.get $c3) (i32x4.gt_u (local.get $a) (local.get $inf))))
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
        (local.set $c0 (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub
          (v128.const i32x4 0 0 0 0)
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 0.25))))
          (f32x4.ge (local.get $a) (f32x4.splat (f32.const 0.75))))
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 1.25))))
          (f32x4.ge (local.get $a) (f32x4.splat (f32.const 1.75))))
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 2.5))))
          (f32x4.ge (local.get $a) (f32x4.splat (f32.const 3.5))))
          (f32x4.gt (local.get $a) (f32x4.splat (f32.const 5)))))
        (local.set $c0 (v128.or (local.get $c0) (i32x4.shr_u (v128.and (local.get $y0) (local.get $signm)) (i32.const 28))))
        (local.set $c0 (v128.bitselect (local.get $vnan) (local.get $c0) (i32x4.gt_u (local.get $a) (local.get $inf))))
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
                        (else (if (i32.eq (local.get $elem) (i32.const 1))
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
