#ifndef CHAT_MALLOC_COUNTER_H
#define CHAT_MALLOC_COUNTER_H

/// How many heap allocations (malloc, calloc, realloc, aligned allocations) this process
/// has made. Linked into the benchmark only: it replaces malloc to count.
unsigned long long chat_allocation_count(void);

#endif
