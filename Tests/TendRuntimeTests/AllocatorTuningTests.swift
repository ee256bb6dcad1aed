import Testing

@testable import TendRuntime

#if canImport(Glibc)
    import Glibc

    @Suite struct AllocatorTuningTests {
        /// glibc takes both settings (mallopt answers 1) unless the environment set them first.
        @Test func glibcTakesBothSettingsUnlessTheEnvironmentSetThem() {
            let applied = AllocatorTuning.apply()
            if getenv("MALLOC_MMAP_THRESHOLD_") == nil { #expect(applied["mmapThreshold"] == 1 << 20) } else { #expect(applied["mmapThreshold"] == nil) }
            let processors = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            if getenv("MALLOC_ARENA_MAX") == nil { #expect(applied["arenaMax"] == max(2, processors)) } else { #expect(applied["arenaMax"] == nil) }
        }
    }
#endif
