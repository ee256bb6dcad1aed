#ifndef TEND_BENCH_SUPPORT_H
#define TEND_BENCH_SUPPORT_H
#include <stddef.h>
/// Bytes allocated from the C heap right now (glibc mallinfo2: in-use arena bytes + mmapped blocks).
size_t tend_bench_heap_bytes(void);
/// Peak resident set size of this process in KiB (getrusage; never reset).
long tend_bench_peak_rss_kib(void);
/// Resident set size now, in KiB (VmRSS of /proc/self/status).
long tend_bench_rss_kib(void);
/// Peak resident set size since the last tend_bench_reset_hwm (VmHWM), in KiB.
long tend_bench_hwm_kib(void);
/// Resets VmHWM to the current RSS (writes 5 to /proc/self/clear_refs); 0 on success.
int tend_bench_reset_hwm(void);
#endif
