import TendMeta
import TendRuntime
import TendValue
import Testing

@Suite("Store")
struct StoreTests {
    @Test func getListAndNamespaces() {
        let store = Store()
        store.upsert(object("a", namespace: "ns1"))
        store.upsert(object("b", namespace: "ns2"))
        store.upsert(object("node", namespace: ""))
        #expect(store.count == 3)
        #expect(store.get(ObjectKey(namespace: "ns1", name: "a")) != nil)
        #expect(store.get(ObjectKey(name: "node")) != nil)
        #expect(names(store.list(namespace: "ns2")) == ["b"])
        #expect(names(store.list(namespace: "")) == ["node"])
        #expect(names(store.list()) == ["a", "b", "node"])
        #expect(store.upsert(["metadata": [:]]) == nil)  // no name: ignored
    }

    @Test func defaultTransformDropsManagedFields() {
        let store = Store()
        var o = object("a")
        o["metadata"]?["managedFields"] = [["manager": "kubectl"]]
        store.upsert(o)
        let cached = store.get(ObjectKey(namespace: "default", name: "a"))
        #expect(cached?["metadata"]?["managedFields"] == nil)
        #expect(cached?["metadata"]?["name"] == "a")
    }

    @Test func labelIndexStaysConsistentAcrossLabelChanges() throws {
        let store = Store()
        store.upsert(object("a", labels: ["app": "web", "tier": "front"]))
        store.upsert(object("b", labels: ["app": "web"]))
        let web = try LabelSelector(parsing: "app=web")
        let front = try LabelSelector(parsing: "tier")
        #expect(names(store.list(matching: web)) == ["a", "b"])
        #expect(names(store.list(matching: front)) == ["a"])
        // Relabel a: app=db, tier removed.
        let change = store.upsert(object("a", rv: "2", labels: ["app": "db"]))
        guard case .updated(let old, _) = change else {
            Issue.record("expected an update")
            return
        }
        #expect(old.value["metadata"]?["resourceVersion"] == "1")
        #expect(names(store.list(matching: web)) == ["b"])
        #expect(names(store.list(matching: front)) == [])
        #expect(names(store.list(matching: try LabelSelector(parsing: "app in (db,web)"))) == ["a", "b"])
        store.delete(object("b"))
        #expect(names(store.list(matching: web)) == [])
        // Only a's postings remain: namespace + app=db (`app exists` is read from app's values).
        #expect(store.postingCount == 2)
        #expect(names(store.list(matching: try LabelSelector(parsing: "app"))) == ["a"])
        store.delete(key: ObjectKey(namespace: "default", name: "a"))
        #expect(store.postingCount == 0)
    }

    @Test func selectorQueriesAgreeWithAFullScan() throws {
        let store = Store()
        var all: [Value] = []
        for i in 0..<300 {
            let o = object(
                "o\(i)", namespace: "ns\(i % 3)",
                labels: ["a": "\(i % 5)", "b": "\(i % 7)"].merging(i % 2 == 0 ? ["even": "true"] : [:]) { x, _ in x })
            all.append(o)
            store.upsert(o)
        }
        for text in ["a=1", "a in (1,2),b=3", "even,a!=0", "!even", "b notin (1,2,3)", "a=1,b=1,even", "a=9"] {
            let s = try LabelSelector(parsing: text)
            #expect(names(store.list(matching: s)) == names(all.filter(s.matches)), "\(text)")
            #expect(
                names(store.list(matching: s, namespace: "ns1"))
                    == names(all.filter { s.matches($0) && $0["metadata"]?["namespace"] == "ns1" }), "\(text) in ns1")
        }
    }

    @Test func controllerOwnerAndCustomIndexes() throws {
        var config = Store.Configuration()
        config.indexers["spec.node"] = { o in o["spec"]?["node"]?.stringValue.map { [$0] } ?? [] }
        let store = Store(config)
        store.upsert(object("a", controllerUID: "u1", extra: ["node": "n1"]))
        store.upsert(object("b", controllerUID: "u1", extra: ["node": "n2"]))
        store.upsert(object("c", extra: ["node": "n1"]))
        #expect(names(store.list(controllerUID: "u1")) == ["a", "b"])
        #expect(try names(store.list(index: "spec.node", value: "n1")) == ["a", "c"])
        store.upsert(object("a", rv: "2", extra: ["node": "n2"]))  // owner dropped, node moved
        #expect(names(store.list(controllerUID: "u1")) == ["b"])
        #expect(try names(store.list(index: "spec.node", value: "n1")) == ["c"])
        #expect(try names(store.list(index: "spec.node", value: "n2")) == ["a", "b"])
        #expect(throws: StoreError.self) { try store.list(index: "nope", value: "x") }
    }

    @Test func replaceStagesPagesAndEmitsTheDelta() throws {
        let store = Store()
        store.upsert(object("keep", rv: "1", labels: ["v": "1"]))
        store.upsert(object("change", rv: "1", labels: ["v": "1"]))
        store.upsert(object("vanish", rv: "1"))
        store.beginReplace()
        try store.stage([object("keep", rv: "1", labels: ["v": "1"]), object("change", rv: "5", labels: ["v": "2"])])
        // Readers still see the old contents while pages arrive.
        #expect(store.count == 3)
        #expect(store.get(ObjectKey(namespace: "default", name: "vanish")) != nil)
        try store.stage([object("new", rv: "6")])
        let delta = try store.commitReplace()
        #expect(delta.count == 3)
        #expect(delta[0] == .deleted(object("vanish", rv: "1")))
        #expect(delta[1].key.name == "change")
        if case .updated(let old, let new) = delta[1] {
            #expect(old.value["metadata"]?["resourceVersion"] == "1")
            #expect(new.value["metadata"]?["resourceVersion"] == "5")
        } else {
            Issue.record("expected update of change")
        }
        #expect(delta[2] == .added(object("new", rv: "6")))
        #expect(names(store.list()) == ["change", "keep", "new"])
        #expect(names(store.list(matching: try LabelSelector(parsing: "v=2"))) == ["change"])
        #expect(names(store.list(matching: try LabelSelector(parsing: "v=1"))) == ["keep"])
        #expect(!store.isReplacing)
        #expect(throws: StoreError.self) { try store.commitReplace() }
    }

    @Test func abortedReplaceKeepsTheCache() throws {
        let store = Store()
        store.upsert(object("a"))
        store.beginReplace()
        try store.stage([object("b")])
        store.abortReplace()
        #expect(names(store.list()) == ["a"])
        #expect(throws: StoreError.self) { try store.stage([object("c")]) }
    }

    @Test func concurrentReadersAndWriterSmoke() async throws {
        let store = Store()
        let selector = try LabelSelector(parsing: "app=web")
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for i in 0..<2000 {
                    store.upsert(object("o\(i % 100)", rv: "\(i)", labels: ["app": i % 2 == 0 ? "web" : "db"]))
                    if i % 7 == 0 { store.delete(key: ObjectKey(namespace: "default", name: "o\(i % 50)")) }
                }
            }
            for _ in 0..<3 {
                group.addTask {
                    for _ in 0..<500 {
                        for o in store.list(matching: selector) {
                            #expect(o["metadata"]?["labels"]?["app"] == "web")
                        }
                        _ = store.list(namespace: "default")
                    }
                }
            }
        }
        // Index consistent with contents at the end.
        #expect(names(store.list(matching: selector)) == names(store.list().filter(selector.matches)))
        #expect(store.list(namespace: "default").count == store.count)
    }
}
