import Testing
@testable import TendEngine
import TendMeta
import TendValue

/// Shadow mode's log deduplication: an object's planned writes are logged when they change.
struct ShadowReportTests {
    static let configMap = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!

    static func object(_ name: String) -> ObjectReference { ObjectReference(kind: configMap, key: ObjectKey(namespace: "ns", name: name)) }

    static func create(_ name: String) -> ShadowWrite { ShadowWrite(verdict: .accepted(.create), target: "\(object(name))") }

    @Test func theSameWritesTwiceAreLoggedOnce() {
        var report = ShadowReport()
        let writes = [Self.create("a-child"), ShadowWrite(verdict: .accepted(.status), target: "\(Self.object("a"))", fields: ["status.phase"])]
        do { let logged = report.changed(Self.object("a"), writes: writes); #expect(logged) }
        do { let logged = report.changed(Self.object("a"), writes: writes); #expect(!logged) }
        do { let logged = report.changed(Self.object("a"), writes: writes.reversed()); #expect(!logged, "order does not matter") }
        do { let logged = report.changed(Self.object("b"), writes: writes); #expect(logged, "per object") }
    }

    @Test func aChangeIsLoggedAgain() {
        var report = ShadowReport()
        let a = Self.object("a")
        do { let logged = report.changed(a, writes: [Self.create("x")]); #expect(logged) }
        let update = ShadowWrite(verdict: .accepted(.update), target: "\(Self.object("x"))", fields: ["data.v"])
        do { let logged = report.changed(a, writes: [update]); #expect(logged) }
        do { let logged = report.changed(a, writes: [update]); #expect(!logged) }
        let rejected = ShadowWrite(verdict: .rejected("apply ConfigMap.v1 ns/x: invalid"), target: "\(a)")
        do { let logged = report.changed(a, writes: [update, rejected]); #expect(logged) }
        // Nothing to write forgets the object: writes that come back are logged again.
        do { let logged = report.changed(a, writes: []); #expect(!logged) }
        #expect(report.count == 0)
        do { let logged = report.changed(a, writes: [update]); #expect(logged) }
        // Other content, the same line: logged again.
        var other = update
        other.content = ["data": ["v": "2"]]
        do { let logged = report.changed(a, writes: [other]); #expect(logged) }
        do { let logged = report.changed(a, writes: [other]); #expect(!logged) }
    }

    /// The fields of a write with content follow the live object (an unrelated annotation changes
    /// `metadata.annotations` into `metadata.annotations["inventory..."]`); the write is the same.
    @Test func theSamePatchWithOtherFieldsIsNotLoggedAgain() {
        var report = ShadowReport()
        let patch: Value = ["metadata": ["annotations": ["inventory.tend.dev/r": "v1/ConfigMap"]]]
        let before = ShadowWrite(verdict: .accepted(.patch), target: "\(Self.object("a"))", fields: ["metadata.annotations"], content: patch)
        let after = ShadowWrite(verdict: .accepted(.patch), target: "\(Self.object("a"))", fields: [#"metadata.annotations["inventory.tend.dev/r"]"#], content: patch)
        do { let logged = report.changed(Self.object("a"), writes: [before]); #expect(logged) }
        do { let logged = report.changed(Self.object("a"), writes: [after]); #expect(!logged) }
        let other = ShadowWrite(verdict: .accepted(.patch), target: "\(Self.object("a"))", fields: ["metadata.annotations"], content: ["metadata": ["annotations": ["inventory.tend.dev/r": "v1/Secret"]]])
        do { let logged = report.changed(Self.object("a"), writes: [other]); #expect(logged, "other content is another write") }
    }

    @Test func aDeletedObjectIsForgotten() {
        var report = ShadowReport()
        let a = Self.object("a")
        do { let logged = report.changed(a, writes: [Self.create("x")]); #expect(logged) }
        report.forget(a)
        #expect(report.count == 0)
        do { let logged = report.changed(a, writes: [Self.create("x")]); #expect(logged) }
    }

    @Test func theRecordIsBounded() {
        var report = ShadowReport(capacity: 100)
        for i in 0..<1000 { _ = report.changed(Self.object("o\(i)"), writes: [Self.create("c\(i)")]) }
        #expect(report.count <= 100)
        // The most recent objects are still remembered; the oldest were forgotten.
        do { let logged = report.changed(Self.object("o999"), writes: [Self.create("c999")]); #expect(!logged) }
        do { let logged = report.changed(Self.object("o0"), writes: [Self.create("c0")]); #expect(logged) }
    }

    @Test func logLines() {
        let cm = "\(Self.object("x"))"
        #expect(ShadowWrite(verdict: .accepted(.create), target: cm).description == "would create \(cm)")
        #expect(ShadowWrite(verdict: .accepted(.update), target: cm, fields: ["data.a", "data.b"]).description == "would update \(cm) (fields: data.a, data.b)")
        #expect(ShadowWrite(verdict: .accepted(.delete), target: cm).description == "would delete \(cm)")
        #expect(ShadowWrite(verdict: .accepted(.status), target: cm).description == "would write status of \(cm)")
        #expect(ShadowWrite(verdict: .rejected("apply \(cm): bad"), target: cm).description == "dry run rejected: apply \(cm): bad")
        #expect(ShadowWrite(verdict: .rejected("x"), target: cm).isWarning)
        #expect(!ShadowWrite(verdict: .accepted(.create), target: cm).isWarning)
    }
}
