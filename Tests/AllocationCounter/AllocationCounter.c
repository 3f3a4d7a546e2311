// Interposes malloc and its relatives for the test process: each call is counted while counting
// is on, then handed to glibc's own implementation (__libc_*), which needs no dlsym and so
// cannot recurse.
#include <stddef.h>
#include "AllocationCounter.h"

#if defined(__has_feature)
#  if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#    define GEN_SANITIZED 1
#  endif
#endif

#ifdef GEN_SANITIZED
// A sanitizer brings its own allocator and intercepts malloc itself: interposing here as well
// crashes the process. Under a sanitizer nothing is counted, and the tests say so.
int gen_allocation_counting_available(void) { return 0; }
void gen_allocation_counting_begin(void) {}
long gen_allocation_counting_end(void) { return 0; }
void gen_allocation_counting_pause(int paused) { (void)paused; }
#else
int gen_allocation_counting_available(void) { return 1; }

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

// Per thread: tests run concurrently, and only the calling thread's allocations are its own.
static _Thread_local int counting, paused;
static _Thread_local long count;

static inline void note(void) { if (counting && !paused) count += 1; }

void *malloc(size_t n) { note(); return __libc_malloc(n); }
void *calloc(size_t n, size_t s) { note(); return __libc_calloc(n, s); }
void *realloc(void *p, size_t n) { note(); return __libc_realloc(p, n); }
void *aligned_alloc(size_t a, size_t n) { note(); return __libc_memalign(a, n); }
void *memalign(size_t a, size_t n) { note(); return __libc_memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n) {
    note();
    void *p = __libc_memalign(a, n);
    if (!p) return 12;   // ENOMEM
    *out = p;
    return 0;
}

void gen_allocation_counting_begin(void) { count = 0; counting = 1; }
long gen_allocation_counting_end(void) { counting = 0; return count; }
void gen_allocation_counting_pause(int on) { paused = on; }
#endif
