import Foundation
import Logging
import TendEngine
import TendRules

/// `tend run`'s rule reloads: re-reads the rule paths on SIGHUP and, every `interval`, when the
/// content of the rule files changed, and hands the result to ``Engine/reload(_:)``.
///
/// Contract:
/// - Change detection hashes the files' **contents** (and their paths), as ``RuleLoader`` finds them —
///   never modification times: a ConfigMap volume updates by swapping a symlink, which keeps the old
///   files' times. A change is reloaded once; a set that fails to compile is not retried until the
///   files change again (or SIGHUP).
/// - Reloads run one at a time, in this task; ``run()`` returns when its task is cancelled.
/// - `interval == .zero` disables polling (SIGHUP still reloads).
struct RuleReloader: Sendable {
    let paths: [String]
    let interval: Duration
    let engine: Engine
    let logger: Logger
    /// ``contentHash(of:)`` of the files the engine was started with, taken before they were loaded
    /// (so a change made while they were being read is seen as a change).
    let initialHash: UInt64

    private enum Trigger { case signal, changed(UInt64) }

    /// Reloads on each element of `signals` and on each change the poll sees, until cancelled.
    func run(signals: AsyncStream<Void>) async {
        let (triggers, continuation) = AsyncStream<Trigger>.makeStream()
        // Every task below ends when this task is cancelled (stream iteration and sleeps stop then).
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await _ in signals { continuation.yield(.signal) }
            }
            if interval > .zero {
                group.addTask { await poll(into: continuation) }
            }
            group.addTask {
                for await trigger in triggers {
                    switch trigger {
                    case .signal: logger.info("SIGHUP: reloading rules")
                    case .changed: logger.info("rule files changed: reloading rules")
                    }
                    reload()
                }
            }
        }
    }

    private func poll(into continuation: AsyncStream<Trigger>.Continuation) async {
        var last = initialHash
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            let hash = Self.contentHash(of: paths)
            if hash != last {
                last = hash
                continuation.yield(.changed(hash))
            }
        }
    }

    private func reload() {
        _ = engine.reload(RuleLoader().load(paths: paths))
    }

    /// A 64-bit FNV-1a hash of every rule file's path and content under `paths` (directories walked as
    /// ``RuleLoader`` walks them); a missing or unreadable path hashes as such.
    static func contentHash(of paths: [String]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            hash ^= 0xff
            hash = hash &* 0x0000_0100_0000_01b3
        }
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                mix(Array("missing:\(path)".utf8))
                continue
            }
            for file in isDirectory.boolValue ? RuleLoader.yamlFiles(under: path) : [path] {
                mix(Array(file.utf8))
                mix(FileManager.default.contents(atPath: file).map { [UInt8]($0) } ?? Array("unreadable".utf8))
            }
        }
        return hash
    }
}
