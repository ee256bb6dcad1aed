import Foundation
import Testing
import TendMeta
import TendValue

@testable import TendKube
import TendFuzzing

/// Mutation fuzzing of watch event lines and label selector strings.
@Suite struct KubeFuzzTests {
    let request = RequestDescription(verb: "watch", resource: "pods.v1", namespace: "shop")

    static let events = [
        #"{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-1","namespace":"shop","resourceVersion":"50042","labels":{"app":"web"},"annotations":{"note":"caf\u00e9 \ud83d\ude00"}},"spec":{"containers":[{"name":"app","image":"web:1.27","ports":[{"containerPort":8080,"protocol":"TCP"}]}]},"status":{"phase":"Running","podIP":"10.244.1.17"}}}"#,
        #"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"99","creationTimestamp":null,"annotations":{"k8s.io/initial-events-end":"true"}}}}"#,
        #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (2)","reason":"Expired","code":410}}"#,
        #"{"type":"DELETED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","resourceVersion":"7"},"data":{"a":"1"}}}"#,
    ]

    static let selectors = [
        "", "app=web", "app==web,tier!=db", "app in (web,db)", "app notin (web, db),!legacy,tier",
        "example.com/app=web-1.2_x", "a=,b in ()", " app = web , tier in ( a , b ) ", "x>1", "!a,b!=c",
    ]

    static let selectorSpecials: [[UInt8]] = [
        "=", "==", "!=", "!", ",", "(", ")", " in ", " notin ", " ", "/", ".", "-", "_", ">", "<", "é", "\0",
        String(repeating: "a", count: 64), "example.com/",
    ].map { Array($0.utf8) } + [[0xFF], [0xCC, 0x81]]

    @Test func mutatedWatchEventsDecodeOrFailCleanly() {
        var rng = FuzzRNG(seed: Fuzz.seed)
        let perSeed = Fuzz.iterations(default: 500)
        for event in Self.events {
            for _ in 0..<perSeed {
                let line = mutate(Array(event.utf8), &rng)
                do {
                    let decoded = try WatchEvent.decode(line, request: request)
                    _ = decoded.resourceVersion
                    _ = decoded.status
                } catch {
                    #expect(error.code == .decoding || error.code == .expired, "\(error)")
                }
            }
        }
    }

    @Test func mutatedSelectorsParseOrFailCleanly() {
        var rng = FuzzRNG(seed: Fuzz.seed)
        let perSeed = Fuzz.iterations(default: 500)
        for selector in Self.selectors {
            for _ in 0..<perSeed {
                let text = String(decoding: mutate(Array(selector.utf8), &rng, specials: Self.selectorSpecials), as: UTF8.self)
                do {
                    let parsed = try LabelSelector(parsing: text)
                    // The string form parses back to the same selector.
                    let again = try LabelSelector(parsing: parsed.description)
                    #expect(again.description == parsed.description, "\(text.debugDescription)")
                    _ = parsed.matches(labels: Value.Object([("app", "web")]))
                } catch {
                    if let offset = error.offset {
                        #expect(offset >= 0 && offset <= text.count, "\(error) outside \(text.debugDescription)")
                    }
                }
            }
        }
    }

    @Test func deeplyParenthesizedSelectorFailsCleanly() {
        let text = "a in " + String(repeating: "(", count: 100_000)
        #expect(throws: LabelSelectorError.self) { try LabelSelector(parsing: text) }
    }
}
