;; stack-bomb: hostile: recurses without end
(module
  (memory (export "memory") 1)
  (func (export "z8_alloc") (param i32) (result i32) (i32.const 1024))
  (func $down (param $n i32) (result i32)
    (i32.add (call $down (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))
  (func (export "z8_process") (param $ptr i32) (param $len i32) (result i32)
    (call $down (i32.const 0))))
