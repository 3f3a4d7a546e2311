// Counts the calling thread's heap allocations while counting is on, so that a test can assert that
// a training step allocates nothing. Linked only into the test bundle.
#ifndef ALLOCATION_COUNTER_H
#define ALLOCATION_COUNTER_H
/// 1 when allocations can be counted; 0 under a sanitizer, which owns malloc.
int gen_allocation_counting_available(void);
void gen_allocation_counting_begin(void);
/// Stops counting and returns how many allocations happened since `begin`.
long gen_allocation_counting_end(void);
/// With 1, leaves this thread's allocations out of the count until called with 0: around a
/// library call whose own allocations a test does not hold gen to (oneDNN's argument map).
void gen_allocation_counting_pause(int on);
#endif
