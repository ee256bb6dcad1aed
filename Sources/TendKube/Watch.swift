public import TendValue
public import TendMeta
import TendHTTP

/// One event of a watch.
public struct WatchEvent: Sendable, Hashable {
    public enum EventType: String, Sendable, Hashable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
        /// No change; ``object`` carries only `metadata.resourceVersion`: resume from there.
        case bookmark = "BOOKMARK"
        /// The server reports a problem; ``object`` is a Status. The watch ends after it.
        case error = "ERROR"
    }

    public var type: EventType
    /// The object (for DELETED: its last state), a bookmark stub, or a Status.
    public var object: Value

    public init(type: EventType, object: Value) {
        self.type = type
        self.object = object
    }

    /// The object's `metadata.resourceVersion`: where to resume after this event.
    public var resourceVersion: String? { object["metadata"]?["resourceVersion"]?.stringValue }

    /// The Status of an ERROR event.
    public var status: Status? { type == .error ? Status(object) : nil }

    /// Decodes one line of a watch stream: `{"type": "...", "object": {...}}`, parsed with one
    /// `JSON.parse` of the line's bytes (with `options`, e.g. skipping the object's managedFields).
    ///
    /// - Throws: ``KubeError/Code/expired`` for an ERROR event with a 410 Status (the
    ///   resourceVersion is too old: list again), ``KubeError/Code/decoding`` for a malformed line.
    public static func decode(
        _ line: [UInt8], request: RequestDescription, options: JSON.ParseOptions = JSON.ParseOptions()
    ) throws(KubeError) -> WatchEvent {
        let value: Value
        do {
            value = try JSON.parse(line, options: options)
        } catch {
            throw KubeError(.decoding, request: request, message: "invalid watch event: \(error.message) at column \(error.column)")
        }
        guard case .object(let o) = value, let typeName = o["type"]?.stringValue, let object = o["object"] else {
            throw KubeError(.decoding, request: request, message: "watch event without type and object")
        }
        guard let type = EventType(rawValue: typeName) else {
            throw KubeError(.decoding, request: request, message: "unknown watch event type \(typeName)")
        }
        let event = WatchEvent(type: type, object: object)
        if type == .error, let status = Status(object), status.code == 410 || status.reason == "Expired" || status.reason == "Gone" {
            throw KubeError(.expired, request: request, message: status.message ?? "resourceVersion too old", status: status)
        }
        return event
    }
}

/// The events of a watch as they arrive: an `AsyncSequence` of ``WatchEvent``.
///
/// - Each line of the response is one event, decoded as soon as it arrives (the body is never
///   buffered whole; backpressure from a slow consumer pauses the HTTP/2 stream).
/// - The sequence ends (`nil`) when the server closes the watch, normally after
///   ``WatchOptions/timeoutSeconds``: resume with a new watch from the last event's
///   ``WatchEvent/resourceVersion`` (bookmarks included).
/// - Throws ``KubeError/Code/expired`` when the resourceVersion is too old (410): list again.
/// - Throws ``KubeError/Code/transport`` when the connection fails or stays silent longer than
///   `timeoutSeconds + idleMargin` (a dead connection), ``KubeError/Code/cancelled`` when the
///   iterating task is cancelled or ``cancel()`` was called.
/// - Iterate once. Dropping the stream (and its iterator) ends the request.
public struct WatchStream: AsyncSequence, Sendable {
    public typealias Element = WatchEvent
    public typealias Failure = KubeError

    let response: HTTPStreamResponse
    let request: RequestDescription
    var parseOptions = JSON.ParseOptions()

    /// Stops the watch; a pending `next()` throws ``KubeError/Code/cancelled``.
    public func cancel() { response.cancel() }

    public func makeAsyncIterator() -> Iterator {
        Iterator(lines: response.body.makeAsyncIterator(), request: request, parseOptions: parseOptions)
    }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = WatchEvent
        public typealias Failure = KubeError

        var lines: HTTPLineStream.Iterator
        let request: RequestDescription
        let parseOptions: JSON.ParseOptions
        var done = false

        public mutating func next() async throws(KubeError) -> WatchEvent? {
            try await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(KubeError) -> WatchEvent? {
            while !done {
                let line: [UInt8]?
                do {
                    line = try await lines.next(isolation: actor)
                } catch {
                    done = true
                    let code: KubeError.Code = error.code == .cancelled ? .cancelled : .transport
                    throw KubeError(code, request: request, message: error.description, transport: error)
                }
                guard let line else {
                    done = true
                    return nil
                }
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                do {
                    return try WatchEvent.decode(line, request: request, options: parseOptions)
                } catch {
                    done = true
                    throw error
                }
            }
            return nil
        }
    }
}
