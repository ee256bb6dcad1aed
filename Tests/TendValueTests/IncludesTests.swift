import Testing
import TendValue

/// `Value.includes`: how a stored object is compared with what was written to it (the engine's
/// skip-if-unchanged check and the offline API server's immutable-field check both rely on it).
struct IncludesTests {
    @Test func fieldsTheServerAddedDoNotCount() throws {
        let live = try JSON.parse(#"{"spec":{"replicas":1,"strategy":{"type":"RollingUpdate"}},"metadata":{"uid":"u"}}"#)
        #expect(live.includes(try JSON.parse(#"{"spec":{"replicas":1}}"#)))
        #expect(!live.includes(try JSON.parse(#"{"spec":{"replicas":2}}"#)))
        #expect(!live.includes(try JSON.parse(#"{"spec":{"paused":true}}"#)))
    }

    @Test func nullAsksForAbsence() throws {
        let live = try JSON.parse(#"{"a":1}"#)
        #expect(live.includes(try JSON.parse(#"{"b":null}"#)))
        #expect(!live.includes(try JSON.parse(#"{"a":null}"#)))
    }

    @Test func listsCompareElementByElementAtEqualLength() throws {
        let live = try JSON.parse(#"[{"name":"a","image":"x","imagePullPolicy":"Always"},{"name":"b"}]"#)
        #expect(live.includes(try JSON.parse(#"[{"name":"a"},{"name":"b"}]"#)))
        #expect(!live.includes(try JSON.parse(#"[{"name":"a"}]"#)))
        #expect(!live.includes(try JSON.parse(#"[{"name":"b"},{"name":"a"}]"#)))
    }

    @Test func numbersCompareByValue() throws {
        #expect(Value.int(1).includes(.double(1.0)))
        #expect(Value.double(2.0).includes(.int(2)))
        #expect(!Value.int(1).includes(.double(1.5)))
        #expect(!Value.int(1).includes(.string("1")))
    }
}
