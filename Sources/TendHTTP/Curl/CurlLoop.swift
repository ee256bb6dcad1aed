internal import CCurl
import Foundation
import Logging

/// The curl thread: owns the multi handle and every easy handle, runs the
/// `curl_multi_perform` / `curl_multi_poll` loop.
///
/// Confined to its thread (not Sendable): all libcurl calls except `curl_multi_wakeup` happen
/// here, so no libcurl handle is ever shared. Swift tasks talk to it only through the
/// ``CurlInbox``. Each iteration: drain commands (add, cancel, unpause), perform, collect
/// finished transfers, enforce idle timeouts, then poll until socket activity, a libcurl
/// timer, the next idle deadline (at most 1 s) or a wakeup.
final class CurlLoop {
    private let multi: UnsafeMutableRawPointer
    private let inbox: CurlInbox
    private let configuration: HTTPClient.Configuration
    private var transfers: [TransferID: CurlTransfer] = [:]
    private var byEasy: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    private init(multi: UnsafeMutableRawPointer, inbox: CurlInbox, configuration: HTTPClient.Configuration) {
        self.multi = multi
        self.inbox = inbox
        self.configuration = configuration
    }

    /// Starts the dedicated thread. Returns at once; the thread runs until ``CurlInbox/requestStop()``.
    static func start(inbox: CurlInbox, configuration: HTTPClient.Configuration) {
        let thread = Thread {
            run(inbox: inbox, configuration: configuration)
        }
        thread.name = "tend-curl"
        thread.start()
    }

    private static func run(inbox: CurlInbox, configuration: HTTPClient.Configuration) {
        CurlGlobal.ensureInitialized()
        guard let multi = curl_multi_init() else {
            configuration.logger.error("curl_multi_init failed")
            failCommands(inbox.detach(), message: "curl_multi_init failed")
            inbox.markStopped()
            return
        }
        _ = tend_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX)
        _ = tend_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, configuration.maxConnectionsPerHost))
        _ = tend_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, max(1, configuration.maxConnections))
        _ = tend_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(1, configuration.maxConnections))
        inbox.attach(multi)
        let loop = CurlLoop(multi: multi, inbox: inbox, configuration: configuration)
        loop.loop()
        loop.teardown()
        inbox.markStopped()
    }

    private func loop() {
        while true {
            let (commands, stop) = inbox.take()
            for command in commands { handle(command) }
            if stop { return }
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            collectFinished()
            let timeout = enforceIdleTimeouts()
            if curl_multi_poll(multi, nil, 0, timeout, nil) != CURLM_OK {
                // Should not happen; never spin on a failing poll.
                usleep(10_000)
            }
        }
    }

    private func handle(_ command: CurlInbox.Command) {
        switch command {
        case .add(let spec):
            if spec.handle.control.isCancelled {
                spec.failBeforeStart(spec.error(.cancelled, "cancelled before start"))
                return
            }
            let transfer: CurlTransfer
            do throws(HTTPError) {
                transfer = try CurlTransfer(spec: spec, configuration: configuration)
            } catch {
                spec.failBeforeStart(error)
                return
            }
            let code = curl_multi_add_handle(multi, transfer.easy)
            guard code == CURLM_OK else {
                transfer.finish(spec.error(.transport, "curl_multi_add_handle: \(String(cString: curl_multi_strerror(code)))"))
                transfer.destroy()
                return
            }
            transfers[spec.id] = transfer
            byEasy[transfer.easy] = transfer
        case .cancel(let id):
            if let transfer = transfers[id] {
                retire(transfer, error: transfer.spec.error(.cancelled, "cancelled"))
            }
        case .unpause(let id):
            if let transfer = transfers[id], transfer.pausedByUs {
                transfer.pausedByUs = false
                transfer.lastActivity = .now
                // May run the write callback right here (redelivering held data), which may pause again.
                _ = curl_easy_pause(transfer.easy, CURLPAUSE_CONT)
            }
        }
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let result = message.pointee.data.result
            guard let transfer = byEasy[easy] else { continue }
            remove(transfer)
            transfer.complete(result)
            transfer.destroy()
        }
    }

    /// Fails transfers that have been idle too long; returns the poll timeout in milliseconds
    /// (time to the nearest idle deadline, at most 1000).
    private func enforceIdleTimeouts() -> Int32 {
        let now = ContinuousClock.now
        var next = Duration.seconds(1)
        for transfer in Array(transfers.values) {
            guard let idle = transfer.idleTimeout, !transfer.pausedByUs else { continue }
            let quiet = now - transfer.lastActivity
            if quiet >= idle {
                retire(transfer, error: transfer.spec.error(
                    .idleTimeout, "no data received for \(quiet.milliseconds) ms (limit \(idle.milliseconds) ms)"))
            } else {
                next = min(next, idle - quiet)
            }
        }
        return Int32(max(1, min(1000, next.milliseconds + 1)))
    }

    /// Removes a running transfer from the multi handle, resumes its caller with `error` and
    /// frees it.
    private func retire(_ transfer: CurlTransfer, error: HTTPError) {
        remove(transfer)
        transfer.finish(error)
        transfer.destroy()
    }

    private func remove(_ transfer: CurlTransfer) {
        _ = curl_multi_remove_handle(multi, transfer.easy)
        transfers[transfer.spec.id] = nil
        byEasy[transfer.easy] = nil
    }

    /// Fails everything in flight with `.shutdown`, frees all handles.
    private func teardown() {
        for transfer in Array(transfers.values) {
            retire(transfer, error: transfer.spec.error(.shutdown, "client shut down"))
        }
        Self.failCommands(inbox.detach(), message: "client shut down")
        curl_multi_cleanup(multi)
        configuration.logger.debug("curl thread stopped")
    }

    private static func failCommands(_ commands: [CurlInbox.Command], message: String) {
        for case .add(let spec) in commands {
            spec.failBeforeStart(spec.error(.shutdown, message))
        }
    }
}

/// `curl_global_init` exactly once per process, thread-safely (a Swift global `let` is
/// initialized once, under `swift_once`). Never cleaned up: other code in the process may use
/// libcurl too.
enum CurlGlobal {
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    static func ensureInitialized() {
        _ = initialized
    }
}
