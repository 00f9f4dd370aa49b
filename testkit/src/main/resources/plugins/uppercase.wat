;; uppercase: turns every ASCII letter inside the strings of the payload's JSON to upper case (keys
;; too; escape sequences and the literals null, true, false are kept) and sends it on output 0. The allocator is a bump arena; z8_dealloc rewinds it.
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "[{\"port\":0,\"payload\":")   ;; 21 bytes
  (data (i32.const 48) "}]")
  (global $heap (mut i32) (i32.const 1024))

  (func $alloc (export "z8_alloc") (param $size i32) (result i32)
    (local $ptr i32) (local $end i32)
    (local.set $ptr (global.get $heap))
    (local.set $end (i32.and (i32.add (i32.add (local.get $ptr) (local.get $size)) (i32.const 7))
                             (i32.const -8)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.eq (memory.grow
                      (i32.add (i32.shr_u (i32.sub (local.get $end)
                                                   (i32.mul (memory.size) (i32.const 65536)))
                                          (i32.const 16))
                               (i32.const 1)))
                    (i32.const -1))
          (then (unreachable)))))
    (global.set $heap (local.get $end))
    (local.get $ptr))

  (func (export "z8_dealloc") (param $ptr i32) (param $size i32)
    (if (i32.lt_u (local.get $ptr) (global.get $heap))
      (then (global.set $heap (local.get $ptr)))))

  (func (export "z8_configure") (param i32 i32) (result i32) (i32.const 0))
  (func (export "z8_validate") (result i32) (i32.const 0))

  (func (export "z8_process") (param $ptr i32) (param $len i32) (result i32)
    (local $res i32) (local $out i32) (local $i i32) (local $b i32) (local $inString i32)
    (local.set $res (call $alloc (i32.add (local.get $len) (i32.const 27))))
    (i32.store (local.get $res) (i32.add (local.get $len) (i32.const 23)))
    (memory.copy (i32.add (local.get $res) (i32.const 4)) (i32.const 16) (i32.const 21))
    (local.set $out (i32.add (local.get $res) (i32.const 25)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $b (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
        (if (i32.eq (local.get $b) (i32.const 92)) ;; backslash: copy it and the escaped byte
          (then
            (i32.store8 (i32.add (local.get $out) (local.get $i)) (local.get $b))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
            (local.set $b (i32.load8_u (i32.add (local.get $ptr) (local.get $i)))))
          (else
            (if (i32.eq (local.get $b) (i32.const 34)) ;; quote: into or out of a string
              (then (local.set $inString (i32.eqz (local.get $inString)))))
            (if (i32.and (local.get $inString)
                         (i32.and (i32.ge_u (local.get $b) (i32.const 97))
                                  (i32.le_u (local.get $b) (i32.const 122))))
              (then (local.set $b (i32.sub (local.get $b) (i32.const 32)))))))
        (i32.store8 (i32.add (local.get $out) (local.get $i)) (local.get $b))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store16 (i32.add (local.get $out) (local.get $len)) (i32.load16_u (i32.const 48)))
    (local.get $res)))
