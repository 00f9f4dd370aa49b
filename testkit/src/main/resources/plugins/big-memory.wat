;; big-memory: hostile: declares 100 initial memory pages (6.25 MiB), more than its manifest allows
(module
  (memory (export "memory") 100)
  (func (export "z8_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "z8_process") (param i32 i32) (result i32) (i32.const 0)))
