#include "bench_support.h"
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

size_t tend_bench_heap_bytes(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

long tend_bench_peak_rss_kib(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

static long status_kib(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long value = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            sscanf(line + n + 1, "%ld", &value);
            break;
        }
    }
    fclose(f);
    return value;
}

long tend_bench_rss_kib(void) { return status_kib("VmRSS"); }

long tend_bench_hwm_kib(void) { return status_kib("VmHWM"); }

int tend_bench_reset_hwm(void) {
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f) return -1;
    int ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}
