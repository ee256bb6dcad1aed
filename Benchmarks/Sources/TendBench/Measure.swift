import CBenchSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock time and heap use for benchmarks.
enum Measure {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Bytes currently allocated from the C heap (glibc's `mallinfo2().uordblks` plus mmapped blocks).
    static func heapBytes() -> Int {
        Int(tend_bench_heap_bytes())
    }

    /// Runs `body` repeatedly for about `seconds` and returns the best observed seconds per call.
    static func best(seconds: Double = 1.0, _ body: () -> Void) -> Double {
        var best = Double.infinity
        let deadline = now() + seconds
        repeat {
            let t0 = now()
            body()
            best = min(best, now() - t0)
        } while now() < deadline
        return best
    }
}
