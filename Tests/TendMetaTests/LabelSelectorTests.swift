import TendMeta
import TendValue
import Testing

@Suite("LabelSelector")
struct LabelSelectorTests {
    static let labels = Value.Object([("app", "web"), ("tier", "front"), ("empty", "")])

    /// kubectl / apimachinery semantics for each operator, against labels {app=web, tier=front, empty=""}.
    @Test(arguments: [
        ("", true),
        ("app=web", true),
        ("app==web", true),
        ("app=db", false),
        ("app!=db", true),
        ("app!=web", false),
        ("missing!=x", true),  // != matches objects without the label
        ("missing=x", false),
        ("app in (web,db)", true),
        ("app in (db)", false),
        ("missing in (x)", false),
        ("app notin (db)", true),
        ("app notin (web,db)", false),
        ("missing notin (x)", true),  // notin matches objects without the label
        ("app", true),
        ("missing", false),
        ("!missing", true),
        ("!app", false),
        ("empty=", true),
        ("empty in ()", true),
        ("app=web,tier=front", true),
        ("app=web,tier=back", false),
        ("app=web, tier in (front) , !legacy", true),
        ("example.com/team", false),
    ])
    func semantics(selector: String, matches: Bool) throws {
        let s = try LabelSelector(parsing: selector)
        #expect(s.matches(labels: Self.labels) == matches, "\(selector)")
    }

    @Test func parsesIntoMatchLabelsAndExpressions() throws {
        let s = try LabelSelector(parsing: "a=b,c!=d,e in (y,x),!f,g,h notin (z)")
        #expect(s.matchLabels == ["a": "b"])
        #expect(
            s.matchExpressions == [
                .init(key: "c", operator: .notEquals, values: ["d"]),
                .init(key: "e", operator: .in, values: ["x", "y"]),
                .init(key: "f", operator: .doesNotExist),
                .init(key: "g", operator: .exists),
                .init(key: "h", operator: .notIn, values: ["z"]),
            ])
        #expect(s.description == "a=b,c!=d,e in (x,y),!f,g,h notin (z)")
        #expect(try LabelSelector(parsing: s.description) == s)
    }

    @Test(arguments: [
        ("a=b,", 4, "expected a label key"),
        ("a in b", 5, "expected '('"),
        ("a in (b", 7, "expected a value"),
        ("a in (b c)", 8, "expected a value"),
        ("!a=b", 2, "expected ',' or end"),
        ("a>1", 1, "numeric comparisons"),
        ("a b", 2, "expected one of"),
        ("-a=b", 0, "invalid label key"),
        ("a=b$", 2, "invalid label value"),
        ("a/b/c=d", 0, "at most one '/'"),
        ("Example.com/a=b", 0, "DNS subdomain"),
    ])
    func parseErrorsCarryTheOffset(selector: String, offset: Int, message: String) {
        #expect {
            _ = try LabelSelector(parsing: selector)
        } throws: { error in
            guard let e = error as? LabelSelectorError else { return false }
            return e.offset == offset && e.message.contains(message)
        }
    }

    @Test func readsMetav1LabelSelector() throws {
        let v: Value = [
            "matchLabels": ["app": "web"],
            "matchExpressions": [["key": "tier", "operator": "In", "values": ["front", "back"]]],
        ]
        let s = try LabelSelector(v)
        #expect(s.matchLabels == ["app": "web"])
        #expect(s.matchExpressions == [.init(key: "tier", operator: .in, values: ["back", "front"])])
        #expect(throws: LabelSelectorError.self) {
            try LabelSelector(["matchExpressions": [["key": "a", "operator": "In", "values": []]]])
        }
        #expect(throws: LabelSelectorError.self) {
            try LabelSelector(["matchExpressions": [["key": "a", "operator": "Gt", "values": ["1"]]]])
        }
    }
}
