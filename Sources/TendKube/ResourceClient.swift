public import TendMeta
public import TendValue
import TendHTTP

/// Reads objects of one resource. ``ResourceClient`` implements it against the API server;
/// a cache can implement it from memory.
public protocol ObjectReader: Sendable {
    /// The object named `name` (in the reader's namespace, for namespaced resources).
    func get(_ name: String) async throws(KubeError) -> Value
    /// One page of objects.
    func list(_ options: ListOptions) async throws(KubeError) -> ObjectList
}

/// Writes objects of one resource: what a reconciler needs.
public protocol ObjectWriter: Sendable {
    func apply(_ object: Value, options: ApplyOptions) async throws(KubeError) -> Value
    func patch(_ name: String, _ patch: Patch, options: WriteOptions) async throws(KubeError) -> Value
    @discardableResult
    func delete(_ name: String, options: DeleteOptions) async throws(KubeError) -> Value
    func updateStatus(_ object: Value, options: WriteOptions) async throws(KubeError) -> Value
}

/// Operations on one resource (optionally bound to a namespace), on dynamic objects.
///
/// For namespaced resources the namespace is ``namespace``; when nil, list and watch span all
/// namespaces and writes use the object's `metadata.namespace`. Cluster-scoped resources ignore
/// namespaces. Every write takes `dryRun` (`dryRun=All`).
public struct ResourceClient: ObjectReader, ObjectWriter, Sendable {
    public let client: KubeClient
    public let resource: APIResource
    public let namespace: String?

    public init(client: KubeClient, resource: APIResource, namespace: String?) {
        self.client = client
        self.resource = resource
        self.namespace = resource.namespaced ? namespace.flatMap { $0.isEmpty ? nil : $0 } : nil
    }

    /// The same resource in another namespace.
    public func inNamespace(_ namespace: String?) -> ResourceClient {
        ResourceClient(client: client, resource: resource, namespace: namespace)
    }

    // MARK: Read

    /// - Parameter resourceVersion: `"0"` to accept any cached version; nil for the latest.
    public func get(_ name: String) async throws(KubeError) -> Value {
        try await get(name, resourceVersion: nil)
    }

    public func get(_ name: String, resourceVersion: String?) async throws(KubeError) -> Value {
        let d = describe("get", name: name)
        let path = try self.path(d, namespace: namespace, name: name)
        var query: [(String, String)] = []
        if let resourceVersion { query.append(("resourceVersion", resourceVersion)) }
        return try await send(.get, path, query: query, d, idempotent: true)
    }

    /// One page (``ListOptions/limit``, ``ListOptions/continueToken``).
    public func list(_ options: ListOptions = ListOptions()) async throws(KubeError) -> ObjectList {
        let d = describe("list")
        let path = try self.path(d, namespace: namespace, name: nil, collection: true)
        let parse = options.skipsManagedFields ? JSON.ParseOptions.skippingManagedFields(of: .listItems) : JSON.ParseOptions()
        let value = try await send(.get, path, query: options.queryItems, d, idempotent: true, parse: parse)
        let apiVersion = resource.groupVersion.apiVersion
        let items = (value["items"]?.arrayValue ?? []).map { Self.withTypeMeta($0, apiVersion: apiVersion, kind: resource.kind) }
        let metadata = value["metadata"]
        return ObjectList(
            items: items, resourceVersion: metadata?["resourceVersion"]?.stringValue ?? "",
            continueToken: metadata?["continue"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
            remainingItemCount: metadata?["remainingItemCount"]?.intValue.map { Int($0) })
    }

    /// Every page, lazily: each iteration requests the next page with the previous continue token.
    public func pages(_ options: ListOptions = ListOptions()) -> ListPages {
        ListPages(client: self, options: options)
    }

    /// All pages collected into one list (with ``ListOptions/limit`` as page size); its
    /// resourceVersion is the first page's, the snapshot all pages belong to.
    public func listAll(_ options: ListOptions = ListOptions()) async throws(KubeError) -> ObjectList {
        var all = ObjectList(items: [], resourceVersion: "")
        var iterator = pages(options).makeAsyncIterator()
        while let page = try await iterator.next() {
            if all.resourceVersion.isEmpty { all.resourceVersion = page.resourceVersion }
            all.items += page.items
        }
        return all
    }

    // MARK: Write

    public func create(_ object: Value, options: WriteOptions = WriteOptions()) async throws(KubeError) -> Value {
        let d = describe("create", object: object)
        let path = try self.path(d, namespace: try namespace(of: object, d), name: nil, collection: true)
        return try await send(.post, path, query: options.queryItems, body: JSON.serializeBytes(object),
                              contentType: "application/json", d, idempotent: false)
    }

    /// Replaces the object. With `metadata.resourceVersion` set, fails with a conflict
    /// (``KubeError/isConflict``) when the stored object has changed since.
    public func update(_ object: Value, options: WriteOptions = WriteOptions()) async throws(KubeError) -> Value {
        try await put(object, subresource: nil, verb: "update", options: options)
    }

    /// Replaces the status (`/status` subresource); the rest of the object is ignored by the server.
    public func updateStatus(_ object: Value, options: WriteOptions = WriteOptions()) async throws(KubeError) -> Value {
        try await put(object, subresource: "status", verb: "update", options: options)
    }

    public func patch(_ name: String, _ patch: Patch, options: WriteOptions = WriteOptions()) async throws(KubeError) -> Value {
        try await sendPatch(name, patch, subresource: nil, options: options)
    }

    public func patchStatus(_ name: String, _ patch: Patch, options: WriteOptions = WriteOptions()) async throws(KubeError) -> Value {
        try await sendPatch(name, patch, subresource: "status", options: options)
    }

    /// Server-side apply: `PATCH` with `application/apply-patch+yaml` (the body is JSON, which is
    /// YAML). The object needs `apiVersion`, `kind` and `metadata.name`.
    public func apply(_ object: Value, options: ApplyOptions) async throws(KubeError) -> Value {
        try await apply(object, subresource: nil, options: options)
    }

    public func apply(_ object: Value, fieldManager: String, force: Bool = false, dryRun: Bool = false) async throws(KubeError) -> Value {
        try await apply(object, options: ApplyOptions(fieldManager: fieldManager, force: force, dryRun: dryRun))
    }

    /// Server-side apply of the status subresource.
    public func applyStatus(_ object: Value, options: ApplyOptions) async throws(KubeError) -> Value {
        try await apply(object, subresource: "status", options: options)
    }

    public func applyStatus(_ object: Value, fieldManager: String, force: Bool = false, dryRun: Bool = false) async throws(KubeError) -> Value {
        try await applyStatus(object, options: ApplyOptions(fieldManager: fieldManager, force: force, dryRun: dryRun))
    }

    /// Deletes the object; returns what the server returned (the object, still present while
    /// finalizers run, or a Status).
    @discardableResult
    public func delete(_ name: String, options: DeleteOptions = DeleteOptions()) async throws(KubeError) -> Value {
        let d = describe("delete", name: name)
        let path = try self.path(d, namespace: namespace, name: name)
        return try await send(.delete, path, body: JSON.serializeBytes(options.body), contentType: "application/json", d, idempotent: true)
    }

    // MARK: Watch

    /// Starts a watch; see ``WatchStream`` for the events and their errors.
    public func watch(_ options: WatchOptions = WatchOptions()) async throws(KubeError) -> WatchStream {
        let d = describe("watch")
        let path = try self.path(d, namespace: namespace, name: nil, collection: true)
        var request = KubeClient.APIRequest(method: .get, path: path, query: options.queryItems, description: d, idempotent: true)
        request.idleTimeout = .after(.seconds(options.timeoutSeconds) + options.idleMargin)
        let response: HTTPStreamResponse
        do {
            response = try await client.openStream(request)
        } catch {
            if error.status?.code == 410 { throw KubeError(.expired, request: d, message: error.message, status: error.status) }
            throw error
        }
        let parse = options.skipsManagedFields ? JSON.ParseOptions.skippingManagedFields(of: .watchEvent) : JSON.ParseOptions()
        return WatchStream(response: response, request: d, parseOptions: parse)
    }

    // MARK: Internals

    private func put(_ object: Value, subresource: String?, verb: String, options: WriteOptions) async throws(KubeError) -> Value {
        let d = describe(verb, object: object, subresource: subresource)
        let name = try name(of: object, d)
        let path = try self.path(d, namespace: try namespace(of: object, d), name: name, subresource: subresource)
        return try await send(.put, path, query: options.queryItems, body: JSON.serializeBytes(object),
                              contentType: "application/json", d, idempotent: true)
    }

    private func sendPatch(_ name: String, _ patch: Patch, subresource: String?, options: WriteOptions) async throws(KubeError) -> Value {
        let d = describe("patch", name: name, subresource: subresource)
        let path = try self.path(d, namespace: namespace, name: name, subresource: subresource)
        return try await send(.patch, path, query: options.queryItems, body: patch.body, contentType: patch.contentType,
                              d, idempotent: patch.isIdempotent)
    }

    private func apply(_ object: Value, subresource: String?, options: ApplyOptions) async throws(KubeError) -> Value {
        let d = describe("apply", object: object, subresource: subresource)
        let name = try name(of: object, d)
        let path = try self.path(d, namespace: try namespace(of: object, d), name: name, subresource: subresource)
        return try await send(.patch, path, query: options.queryItems, body: JSON.serializeBytes(object),
                              contentType: "application/apply-patch+yaml", d, idempotent: true)
    }

    private func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil, contentType: String? = nil,
        _ d: RequestDescription, idempotent: Bool, parse: JSON.ParseOptions = JSON.ParseOptions()
    ) async throws(KubeError) -> Value {
        let request = KubeClient.APIRequest(
            method: method, path: path, query: query, body: body, contentType: contentType, description: d, idempotent: idempotent)
        let response = try await client.send(request)
        return try KubeClient.decode(response.body, d, options: parse)
    }

    private func describe(_ verb: String, name: String? = nil, object: Value? = nil, subresource: String? = nil) -> RequestDescription {
        let objectNamespace = object?["metadata"]?["namespace"]?.stringValue
        return RequestDescription(
            verb: verb, resource: resource.groupVersionResource.description, subresource: subresource,
            namespace: resource.namespaced ? (objectNamespace ?? namespace) : nil,
            name: name ?? object?["metadata"]?["name"]?.stringValue)
    }

    private func path(
        _ d: RequestDescription, namespace: String?, name: String?, subresource: String? = nil, collection: Bool = false
    ) throws(KubeError) -> String {
        if !collection {
            guard let name, !name.isEmpty else { throw KubeError(.invalidRequest, request: d, message: "a name is required") }
            if resource.namespaced && (namespace ?? "").isEmpty {
                throw KubeError(.invalidRequest, request: d, message: "\(resource.name) is namespaced: a namespace is required")
            }
        }
        return ResourcePath(
            groupVersion: resource.groupVersion, resource: resource.name, namespace: resource.namespaced ? namespace : nil,
            name: name, subresource: subresource
        ).path
    }

    /// The namespace a write of `object` goes to: the object's, else the client's; both set and different is an error.
    private func namespace(of object: Value, _ d: RequestDescription) throws(KubeError) -> String? {
        guard resource.namespaced else { return nil }
        let own = object["metadata"]?["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        if let own, let namespace, own != namespace {
            throw KubeError(.invalidRequest, request: d, message: "the object's namespace \(own) differs from the client's namespace \(namespace)")
        }
        guard let ns = own ?? namespace else {
            throw KubeError(.invalidRequest, request: d, message: "\(resource.name) is namespaced: set metadata.namespace or the client's namespace")
        }
        return ns
    }

    private func name(of object: Value, _ d: RequestDescription) throws(KubeError) -> String {
        guard let name = object["metadata"]?["name"]?.stringValue, !name.isEmpty else {
            throw KubeError(.invalidRequest, request: d, message: "the object has no metadata.name")
        }
        return name
    }

    /// Lists omit each item's `apiVersion` and `kind`; put them back in front.
    static func withTypeMeta(_ item: Value, apiVersion: String, kind: String) -> Value {
        guard case .object(let o) = item, o["kind"] == nil else { return item }
        var out = Value.Object(minimumCapacity: o.count + 2)
        out["apiVersion"] = .string(apiVersion)
        out["kind"] = .string(kind)
        for entry in o.entries where entry.key != "apiVersion" { out[entry.key] = entry.value }
        return .object(out)
    }
}

/// The pages of a list, requested one at a time as iteration proceeds.
public struct ListPages: AsyncSequence, Sendable {
    public typealias Element = ObjectList
    public typealias Failure = KubeError

    let client: ResourceClient
    let options: ListOptions

    public func makeAsyncIterator() -> Iterator { Iterator(client: client, options: options) }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = ObjectList
        public typealias Failure = KubeError
        let client: ResourceClient
        var options: ListOptions
        var done = false

        public mutating func next() async throws(KubeError) -> ObjectList? {
            try await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(KubeError) -> ObjectList? {
            guard !done else { return nil }
            let page: ObjectList
            do {
                page = try await client.list(options)
            } catch {
                done = true
                throw error
            }
            if let token = page.continueToken {
                options.continueToken = token
                // The continue token carries the snapshot; a resourceVersion must not be sent with it.
                options.resourceVersion = nil
                options.resourceVersionMatch = nil
            } else {
                done = true
            }
            return page
        }
    }
}
