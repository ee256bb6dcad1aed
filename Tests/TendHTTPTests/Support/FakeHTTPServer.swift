import Foundation
import Synchronization
import TendTesting

/// Route-based fault injection for the HTTP layer, on TendTesting's ``LoopbackServer`` (one thread
/// per connection, every response closes its connection). Bounded: stalls end at ``stop()`` or
/// after 30 s.
///
/// Routes (query parameters are plain integers):
/// - `/hello`: 200, body `hello`, header `X-Fake: yes`, `Retry-After: 7`.
/// - `/status/N`: status N, body `status N`.
/// - `/echo`: 200, body = the raw request (head and body) as received.
/// - `/lines?n=N&delay=MS`: N lines `line i`, MS milliseconds apart, close-delimited.
/// - `/gated?n=N`: line i is sent only after ``openGate(through:)`` allowed it (or 10 s passed,
///   counted in ``gateTimeouts``).
/// - `/stall`: head plus one line `first`, then silence until the client goes away.
/// - `/reset`: promises 100000 bytes, sends 1000, then resets the connection (RST).
/// - `/flood?total=BYTES`: lines of 1 KiB as fast as the client takes them; bytes written are
///   recorded in ``floodBytesWritten``.
/// - `/bigline?size=N`: one line of N `x`, then `tail` without newline.
/// - `/slowhead?delay=MS`: waits, then 200 `late`.
final class FakeHTTPServer: Sendable {
    private let loopback: LoopbackServer
    private let counters: Counters

    private final class Counters: Sendable {
        struct State {
            var floodBytesWritten = 0
            var clientClosedDuringStall = 0
            var gate = 0
            var gateTimeouts = 0
        }
        let state = Mutex(State())
    }

    init() throws {
        let counters = Counters()
        self.counters = counters
        loopback = try LoopbackServer(name: "fake-http-accept") { connection in
            Self.handle(connection, counters)
        }
    }

    var port: Int { loopback.port }
    func url(_ path: String) -> String { loopback.url + path }

    var floodBytesWritten: Int { counters.state.withLock { $0.floodBytesWritten } }
    var clientClosedDuringStall: Int { counters.state.withLock { $0.clientClosedDuringStall } }
    var requestCount: Int { loopback.connectionCount }
    /// How often `/gated` gave up waiting for ``openGate(through:)`` (10 s each).
    var gateTimeouts: Int { counters.state.withLock { $0.gateTimeouts } }

    /// Lets `/gated` send lines up to and including `index`.
    func openGate(through index: Int) {
        counters.state.withLock { $0.gate = max($0.gate, index + 1) }
    }

    /// Closes the listener and every connection; handler threads end soon after.
    func stop() { loopback.stop() }

    // MARK: Request handling

    private static func handle(_ connection: LoopbackConnection, _ counters: Counters) {
        guard let request = connection.readRequest() else { return }
        let query = request.query.compactMapValues { Int($0) }
        switch request.path {
        case "/hello":
            connection.respond(status: 200, headers: ["X-Fake: yes", "Retry-After: 7"], body: Array("hello".utf8))
        case let p where p.hasPrefix("/status/"):
            let code = Int(p.dropFirst("/status/".count)) ?? 500
            connection.respond(status: code, body: Array("status \(code)".utf8))
        case "/echo":
            connection.respond(status: 200, body: request.raw)
        case "/lines":
            connection.sendHead(status: 200, headers: [])
            for i in 0..<(query["n"] ?? 3) {
                guard connection.write(Array("line \(i)\n".utf8)) else { return }
                connection.pause(milliseconds: query["delay"] ?? 0)
            }
        case "/gated":
            connection.sendHead(status: 200, headers: [])
            for i in 0..<(query["n"] ?? 3) {
                let deadline = ContinuousClock.now + .seconds(10)
                while counters.state.withLock({ $0.gate <= i }) && !connection.isStopped {
                    if ContinuousClock.now > deadline {
                        counters.state.withLock { $0.gateTimeouts += 1 }
                        break
                    }
                    connection.pause(milliseconds: 5)
                }
                guard connection.write(Array("line \(i)\n".utf8)) else { return }
            }
        case "/stall":
            connection.sendHead(status: 200, headers: [])
            connection.write(Array("first\n".utf8))
            if connection.waitForPeerToLeave() { counters.state.withLock { $0.clientClosedDuringStall += 1 } }
        case "/reset":
            connection.sendHead(status: 200, headers: ["Content-Length: 100000"])
            connection.write([UInt8](repeating: 0x61, count: 1000))
            connection.pause(milliseconds: 50)
            connection.resetOnClose()
        case "/flood":
            connection.sendHead(status: 200, headers: [])
            let total = query["total"] ?? (64 << 20)
            let line = [UInt8](repeating: 0x66, count: 1023) + [0x0A]
            var written = 0
            while written < total && !connection.isStopped {
                guard connection.write(line) else { return }
                written += line.count
                counters.state.withLock { $0.floodBytesWritten = written }
            }
        case "/bigline":
            connection.sendHead(status: 200, headers: [])
            var remaining = query["size"] ?? 1000
            let block = [UInt8](repeating: 0x78, count: 64 * 1024)
            while remaining > 0 {
                let n = min(remaining, block.count)
                guard connection.write(Array(block[0..<n])) else { return }
                remaining -= n
            }
            connection.write(Array("\ntail".utf8))
        case "/slowhead":
            connection.pause(milliseconds: query["delay"] ?? 1000)
            connection.respond(status: 200, body: Array("late".utf8))
        default:
            connection.respond(status: 404, body: Array("not found".utf8))
        }
    }
}
