/*
 * case: upper- or lower-cases the letters inside the strings of the payload's JSON (keys too;
 * escape sequences and the literals null, true, false are kept) and sends it on output 0.
 * Config: {"mode": "upper" | "lower"} (default upper); z8_validate refuses any other mode.
 *
 * Freestanding C, no libc. Built with Debian's clang and lld (the .wasm beside this file is
 * committed; rebuild it with):
 *   clang --target=wasm32 -O2 -nostdlib -fno-builtin -Wl,--no-entry -o case.wasm case.c
 */
typedef unsigned int u32;
typedef unsigned char u8;

#define EXPORT(name) __attribute__((export_name(name)))

extern u8 __heap_base;
static u32 heap;
static int lower;
static int invalid;

static const char PREFIX[] = "[{\"port\":0,\"payload\":";
#define PREFIX_LEN (sizeof(PREFIX) - 1)

static u32 top(void) { return heap ? heap : (u32)&__heap_base; }

/* A bump arena: z8_alloc takes from the top, z8_dealloc rewinds to the pointer it is given. */
EXPORT("z8_alloc") u8 *z8_alloc(u32 size) {
  u32 ptr = (top() + 7u) & ~7u;
  u32 end = ptr + size;
  u32 have = (u32)__builtin_wasm_memory_size(0) * 65536u;
  if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535u) / 65536u) == -1) {
    __builtin_trap();
  }
  heap = end;
  return (u8 *)ptr;
}

EXPORT("z8_dealloc") void z8_dealloc(u8 *ptr, u32 size) {
  (void)size;
  if ((u32)ptr < top()) {
    heap = (u32)ptr;
  }
}

static int contains(const u8 *text, u32 len, const char *word) {
  for (u32 i = 0; i < len; i++) {
    u32 j = 0;
    while (word[j] && i + j < len && text[i + j] == (u8)word[j]) {
      j++;
    }
    if (!word[j]) {
      return 1;
    }
  }
  return 0;
}

EXPORT("z8_configure") int z8_configure(const u8 *config, u32 len) {
  lower = contains(config, len, "\"lower\"");
  invalid = contains(config, len, "\"mode\"") && !lower && !contains(config, len, "\"upper\"");
  return 0;
}

EXPORT("z8_validate") int z8_validate(void) { return invalid ? 2 : 0; }

EXPORT("z8_process") u8 *z8_process(const u8 *in, u32 len) {
  u8 *res = z8_alloc(4 + PREFIX_LEN + len + 2);
  u8 *out = res + 4;
  u32 o = 0;
  *(u32 *)res = PREFIX_LEN + len + 2;
  for (u32 i = 0; i < PREFIX_LEN; i++) {
    out[o++] = (u8)PREFIX[i];
  }
  int inString = 0;
  for (u32 i = 0; i < len; i++) {
    u8 b = in[i];
    if (b == '\\' && i + 1 < len) {
      out[o++] = b;
      b = in[++i];
    } else {
      if (b == '"') {
        inString = !inString;
      }
      if (inString && !lower && b >= 'a' && b <= 'z') {
        b -= 32;
      } else if (inString && lower && b >= 'A' && b <= 'Z') {
        b += 32;
      }
    }
    out[o++] = b;
  }
  out[o++] = '}';
  out[o] = ']';
  return res;
}
