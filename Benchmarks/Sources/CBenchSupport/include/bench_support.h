#ifndef TEND_BENCH_SUPPORT_H
#define TEND_BENCH_SUPPORT_H
#include <stddef.h>
/// Bytes allocated from the C heap right now (glibc mallinfo2: in-use arena bytes + mmapped blocks).
size_t tend_bench_heap_bytes(void);
/// Peak resident set size of this process in KiB (getrusage).
long tend_bench_peak_rss_kib(void);
#endif
