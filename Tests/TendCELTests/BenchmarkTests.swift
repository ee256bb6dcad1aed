import TendCEL
import TendValue
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Measures evaluations per second of a typical guard. Runs only with `TEND_BENCH=1`; build in
/// release mode for meaningful numbers:
/// `TEND_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter TendCELTests.guardThroughput`.
@Test(.enabled(if: getenv("TEND_BENCH") != nil))
func guardThroughput() throws {
    let result = try CELBenchmark.guardThroughput(iterations: 2_000_000)
    print("CEL guard: \(Int(result.evaluationsPerSecond)) evaluations/s (\(String(format2(result.nanosecondsPerEvaluation))) ns each)")
    #expect(result.evaluationsPerSecond > 0)
}

private func format2(_ d: Double) -> String {
    String(Double(Int(d * 10)) / 10)
}

@Test func benchmarkFunctionWorks() throws {
    let r = try CELBenchmark.guardThroughput(iterations: 1000)
    #expect(r.iterations == 1000)
}
