import Foundation
import Testing
import TendKube
@testable import TendOffline
import TendTesting
import TendMeta
import TendValue

@testable import TendRules

/// The immutability model agrees with the real API server: each case of ImmutableFieldsTests is
/// applied on the cluster, read back (with the server's defaults, as the planner sees it) and
/// updated by server-side apply. The model, judging the object the server stored, must refuse
/// exactly the updates the server refuses, naming the same field with the same phrase (the server
/// prints Go values where Tend prints JSON).
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .timeLimit(.minutes(3)))
struct ImmutableFieldsDifferentialTests {
    static func kind(_ v: Value) -> GroupVersionKind { GroupVersionKind(apiVersion: v["apiVersion"]!.stringValue!, kind: v["kind"]!.stringValue!)! }

    @Test func theModelAndTheAPIServerRefuseTheSameUpdates() async throws {
        let cluster = try LocalCluster.require()
        let client = KubeClient(configuration: cluster.configuration)
        let ns = "immutable-\(UInt32.random(in: 0...UInt32.max))"
        let namespaces = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!)
        _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        // Pods need the namespace's default ServiceAccount, which a controller creates.
        let accounts = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "ServiceAccount")!, namespace: ns)
        await poll(until: "default ServiceAccount") { (try? await accounts.get("default")) != nil }
        var checked = 0
        for (i, c) in ImmutableFieldsTests.cases(ip: Int.random(in: 100...200)).enumerated() {
            let resource = try await client.resource(Self.kind(c.initial), namespace: ns)
            var initial = c.initial, update = c.update
            // Each case its own object: one case's update must not be the next one's start.
            let name = Value.string("\(c.initial["metadata"]?["name"]?.stringValue ?? "")-\(i)")
            initial["metadata"]?["namespace"] = .string(ns)
            update["metadata"]?["namespace"] = .string(ns)
            initial["metadata"]?["name"] = name
            update["metadata"]?["name"] = name
            let live = try await resource.apply(initial, fieldManager: "tend-test")
            let model = ImmutableFields.refusal(live: live, updated: ImmutableFields.overlaid(update, on: live))
            #expect(model?.field == c.refused, "\(c.name): model \(model?.description ?? "accepts")")
            do {
                _ = try await resource.apply(update, fieldManager: "tend-test")
                #expect(c.refused == nil, "\(c.name): the API server accepted the update")
            } catch {
                let message = error.status?.message ?? "\(error)"
                #expect(error.status?.reason == "Invalid", "\(c.name): \(message)")
                #expect(c.refused != nil, "\(c.name): the API server refused: \(message)")
                if let model {
                    let name = live["metadata"]?["name"]?.stringValue ?? ""
                    let prefix = model.description.components(separatedBy: " \"\(name)\" is invalid: ")[0] + " \"\(name)\" is invalid: \(model.field): "
                    let phrase = model.description.components(separatedBy: ": ").last ?? ""
                    #expect(message.hasPrefix(prefix), "\(c.name):\nlive    \(message)\noffline \(model.description)")
                    #expect(message.contains(phrase), "\(c.name): live lacks \"\(phrase)\": \(message)")
                }
            }
            checked += 1
        }
        #expect(checked == ImmutableFieldsTests.cases().count)
        _ = try? await namespaces.delete(ns)
        await client.shutdown()
    }
}
