import Testing
import TendKube
import TendRuntime
import TendTesting
import TendValue

/// The informer cache never holds `metadata.managedFields` (the default transform drops it, and
/// lists and watches leave it out while decoding); direct reads still return it, and an informer
/// with a custom transform still receives it.
@Suite(.timeLimit(.minutes(1)))
struct ManagedFieldsSkipTests {
    typealias F = FakeServerRuntimeTests

    static func cm(_ name: String, rv: String) -> Value {
        var cm = F.cm(name, rv: rv)
        cm["metadata"]?["managedFields"] = [
            ["manager": "kubectl", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
             "fieldsV1": ["f:data": [".": [:], "f:k": [:]], "f:metadata": ["f:labels": ["k:{\"x\":1}": [:]]]]],
        ]
        cm["spec"] = ["managedFields": "kept: not metadata's"]
        return cm
    }

    static let handler: FakeAPIServer.Handler = { request, _ in
        if request.query["watch"] == "true" {
            return .lines([F.event("ADDED", ManagedFieldsSkipTests.cm("c", rv: "11"))], thenStall: true)
        }
        if request.path == "/api/v1/namespaces/ns/configmaps/a" { return .json(200, ManagedFieldsSkipTests.cm("a", rv: "5")) }
        return F.list([ManagedFieldsSkipTests.cm("a", rv: "5"), ManagedFieldsSkipTests.cm("b", rv: "6")], rv: "10")
    }

    @Test func cachedObjectsLackManagedFieldsWhileGetReturnsThem() async throws {
        try await F.withClient(Self.handler) { client in
            let factory = SharedInformerFactory(client: client)
            let informer = factory.informer(for: F.configMaps, namespace: "ns")
            let run = Task { await factory.run() }
            defer { run.cancel() }
            await informer.waitForSync()
            await eventuallyReal("the watched object is cached") { informer.store.count == 3 }
            let cached = informer.store.list()
            #expect(sortedNames(cached) == ["a", "b", "c"])
            #expect(cached.allSatisfy { $0["metadata"]?["managedFields"] == nil })
            #expect(cached.allSatisfy { $0["spec"]?["managedFields"] == "kept: not metadata's" })
            #expect(cached.allSatisfy { $0["metadata"]?["resourceVersion"] != nil && $0["kind"] == "ConfigMap" })

            let configMaps = client.resource(F.configMaps, namespace: "ns")
            let got = try await configMaps.get("a")
            #expect(got == Self.cm("a", rv: "5"))
            #expect(got["metadata"]?["managedFields"]?.arrayValue?.count == 1)
            // A plain list keeps them; the informer's list option drops them while decoding.
            let listed = try await configMaps.list()
            #expect(listed.items.allSatisfy { $0["metadata"]?["managedFields"] != nil })
            var options = ListOptions()
            options.skipsManagedFields = true
            let skipped = try await configMaps.list(options)
            #expect(skipped.items.count == 2)
            #expect(skipped.items.allSatisfy { $0["metadata"]?["managedFields"] == nil && $0["spec"]?["managedFields"] != nil })
            #expect(skipped.items == listed.items.map(Store.dropManagedFields))
        }
    }

    @Test func customTransformStillReceivesManagedFields() async throws {
        let seen = Locked(0)
        try await F.withClient(Self.handler) { client in
            let factory = SharedInformerFactory(client: client, transform: { object in
                if object["metadata"]?["managedFields"] != nil { seen.withLock { $0 += 1 } }
                return object
            })
            let informer = factory.informer(for: F.configMaps, namespace: "ns")
            let run = Task { await factory.run() }
            defer { run.cancel() }
            await informer.waitForSync()
            await eventuallyReal("the watched object is cached") { informer.store.count == 3 }
            #expect(informer.store.list().allSatisfy { $0["metadata"]?["managedFields"]?.arrayValue?.count == 1 })
            #expect(seen.value == 3)
        }
    }

    @Test func watchEventsDecodeWithOrWithoutManagedFields() throws {
        let line = Array(F.event("MODIFIED", Self.cm("x", rv: "3")).utf8)
        let request = RequestDescription(verb: "watch", resource: "configmaps")
        let full = try WatchEvent.decode(line, request: request)
        let skipped = try WatchEvent.decode(line, request: request, options: .skippingManagedFields(of: .watchEvent))
        #expect(full.object["metadata"]?["managedFields"] != nil)
        #expect(skipped.type == .modified && skipped.object == Store.dropManagedFields(full.object))
    }
}
