#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide settings of the C allocator for a process that holds a large cache for a long
/// time. Call once, first thing in `main`, before other threads start.
///
/// Two glibc defaults cost an informer-backed process memory it never returns (measured in
/// docs/performance.md: 100,000 cached ConfigMaps, peak RSS 288 MiB with the defaults, 256 MiB
/// with both settings, the cache's own heap 211 MiB either way):
/// - **The mmap threshold adapts upward**: once a block larger than the threshold (128 KiB) is
///   freed, blocks up to that size come from the heap instead of fresh mappings. A list page's
///   response (a few MB) is such a block; after the first page, every page's buffers are carved
///   from the heap between cached objects, and the holes they leave are kept. Fixing the threshold
///   at 1 MiB sends those buffers to their own mappings, returned to the kernel when freed.
/// - **One arena per thread, up to 8 per core**: every thread that allocates gets its own heap,
///   each keeping its own free memory. At most one arena per core (2 at least) keeps the cost of a
///   shared arena (waiting for its lock) low and the free memory in fewer places.
///
/// A setting given in the environment (`MALLOC_MMAP_THRESHOLD_`, `MALLOC_ARENA_MAX`, read by glibc
/// itself) is left as the user set it. Nothing happens with other C libraries (musl has no
/// `mallopt`, which is looked up at run time).
public enum AllocatorTuning {
    /// Applies the settings; returns what was set (empty where nothing was), for logging and tests.
    @discardableResult
    public static func apply() -> [String: Int] {
        #if canImport(Glibc)
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return [:] }
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            var applied: [String: Int] = [:]
            // M_MMAP_THRESHOLD and M_ARENA_MAX from <malloc.h>, which Swift's Glibc module leaves out.
            if getenv("MALLOC_MMAP_THRESHOLD_") == nil, mallopt(-3, 1 << 20) == 1 { applied["mmapThreshold"] = 1 << 20 }
            let arenas = max(2, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            if getenv("MALLOC_ARENA_MAX") == nil, mallopt(-8, Int32(arenas)) == 1 { applied["arenaMax"] = arenas }
            return applied
        #else
            return [:]
        #endif
    }
}
