;; log: logs the payload through z8.log and sends it on
(module
  (import "z8" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "[{\"port\":0,\"payload\":")   ;; 21 bytes
  (data (i32.const 48) "}]")
  (global $heap (mut i32) (i32.const 1024))

  ;; bump arena: z8_alloc takes from the top, z8_dealloc rewinds to the pointer it is given
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

  ;; the result [{"port":0,"payload":<len bytes at ptr>}] as u32 length + JSON
  (func $wrap (param $ptr i32) (param $len i32) (result i32)
    (local $res i32)
    (local.set $res (call $alloc (i32.add (local.get $len) (i32.const 27))))
    (i32.store (local.get $res) (i32.add (local.get $len) (i32.const 23)))
    (memory.copy (i32.add (local.get $res) (i32.const 4)) (i32.const 16) (i32.const 21))
    (memory.copy (i32.add (local.get $res) (i32.const 25)) (local.get $ptr) (local.get $len))
    (i32.store16 (i32.add (i32.add (local.get $res) (i32.const 25)) (local.get $len))
                 (i32.load16_u (i32.const 48)))
    (local.get $res))

  ;; wraps a host result (u32 length + bytes at ptr)
  (func $wrapHost (param $ptr i32) (result i32)
    (call $wrap (i32.add (local.get $ptr) (i32.const 4)) (i32.load (local.get $ptr))))

  (func (export "z8_process") (param $ptr i32) (param $len i32) (result i32)
    (call $log (local.get $ptr) (local.get $len))
    (call $wrap (local.get $ptr) (local.get $len))))
