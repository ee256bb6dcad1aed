import TendCEL
import TendMeta
public import TendValue
public import TendYAML

/// Compiles one rule document into a ``Rule``, collecting every problem as a located ``Diagnostic``.
///
/// The compiler never stops at the first problem: it checks the whole document (unknown or
/// misspelled fields, wrong types, bad selectors and patterns, every CEL expression against the
/// variables in scope, references between children and cycles) and returns all diagnostics. A rule is
/// returned only when there is no error.
public struct RuleCompiler {
    /// The `apiVersion` of rule documents.
    public static let apiVersion = "tend.dev/v1alpha1"
    /// Names a rule author cannot use as an id or loop variable: they are in scope already, or CEL keywords.
    static let reservedNames: Set<String> = [
        "self", "ready", "phase", "in", "as", "break", "const", "continue", "else", "for", "function", "if",
        "import", "let", "loop", "package", "namespace", "return", "var", "void", "while", "true", "false", "null",
    ]

    var reader: DocumentReader
    /// The kinds' schemas from the cluster (`tend check --cluster`); nil: check offline.
    let schemas: (any SchemaSource)?

    init(_ document: YAMLDocument, schemas: (any SchemaSource)? = nil) {
        reader = DocumentReader(document)
        self.schemas = schemas
    }

    /// Compiles `document`.
    /// - Parameter schemas: the schemas of the kinds the cluster serves, for `tend check --cluster`:
    ///   child templates are checked against them, and children, lookups and a schema-less rule's
    ///   `self` are typed by them. Nil (the default) compiles offline, with only the rule's own schema.
    /// - Returns: the rule when there are no errors, and every diagnostic (warnings included).
    public static func compile(_ document: YAMLDocument, schemas: (any SchemaSource)? = nil) -> (rule: Rule?, diagnostics: [Diagnostic]) {
        var compiler = RuleCompiler(document, schemas: schemas)
        var rule = compiler.compileRule()
        rule?.fingerprint = JSON.serialize(document.value, options: .sortedKeys)
        let diagnostics = compiler.reader.diagnostics
        return (diagnostics.contains { $0.severity == .error } ? nil : rule, diagnostics)
    }

    /// Whether `document` claims to be a rule (its `apiVersion` is in the `tend.dev` group).
    public static func isRuleDocument(_ document: YAMLDocument) -> Bool {
        guard let apiVersion = document.value["apiVersion"]?.stringValue else { return false }
        return apiVersion.hasPrefix("tend.dev/") && document.value["kind"]?.stringValue != "RuleTest"
    }

    mutating func compileRule() -> Rule? {
        let root = YAMLPath.root
        guard reader.object(root, known: ["apiVersion", "kind", "metadata", "spec"], what: "a rule") != nil else { return nil }
        if let v = reader.string(["apiVersion"], required: true, what: "apiVersion"), v != Self.apiVersion {
            reader.error("unsupported apiVersion \"\(v)\" (expected \(Self.apiVersion))", at: ["apiVersion"])
        }
        if let k = reader.string(["kind"], required: true, what: "kind"), k != "Rule" {
            reader.error("unsupported kind \"\(k)\" (expected Rule)", at: ["kind"])
        }
        _ = reader.object(["metadata"], known: ["name", "labels", "annotations"], required: true, what: "metadata")
        let name = reader.string(["metadata", "name"], required: true, what: "metadata.name") ?? ""
        if !name.isEmpty && !Self.isDNSLabel(name) {
            reader.error("rule name \"\(name)\" must be a DNS label: lowercase letters, digits and '-', at most 63 characters", at: ["metadata", "name"])
        }
        let known = ["schema", "watch", "lookups", "children", "patch", "status", "requeueAfter", "dependentsWait", "finalize"]
        guard reader.object(["spec"], known: known, required: true, what: "spec") != nil else { return nil }

        let schema = compileSchema()
        var scope = Scope()
        if let schema {
            scope.selfChecker = schemaFieldChecker(schema)
            scope.selfType = scope.selfChecker?.selfType
        } else if let object = watchedKindSchema() {
            scope.selfChecker = SchemaFieldChecker(object: object)
            scope.selfType = scope.selfChecker?.selfType
        }
        let watch = compileWatch(schema: schema, environment: scope.selfEnvironment())
        let lookups = compileLookups(&scope)
        let children = compileChildren(&scope)
        var finalizeScope = scope
        let finalize = compileFinalize(&finalizeScope)
        let patch = compilePatch(scope)
        let status = compileStatus(scope, childIDs: children.map(\.id))
        let requeueAfter = compileHoldDuration(["spec", "requeueAfter"], what: "requeueAfter")
        guard let watch else { return nil }
        var rule = Rule(
            name: name, location: reader.location(["kind"]).0, watch: watch, lookups: lookups,
            children: children, patch: patch, status: status, schema: schema)
        rule.timePrograms = rule.timeDependentPrograms
        rule.requeueAfter = requeueAfter
        rule.dependentsWait = compileDependentsWait(["spec", "dependentsWait"]) ?? .exists
        rule.finalize = finalize
        rule.timePrograms = rule.timeDependentPrograms
        return rule
    }

    /// The checker of `self`'s fields for `schema`. The status fields and phase path are read from
    /// the document here, before `status:` is compiled, since every expression before it needs them.
    func schemaFieldChecker(_ schema: SchemaSpec) -> SchemaFieldChecker {
        let statusFields = reader.value(["spec", "status", "fields"])?.objectValue?.keys ?? []
        let phasePath = reader.value(["spec", "status", "phase", "path"])?.stringValue.flatMap { try? FieldPath(parsing: $0) }
        return SchemaFieldChecker(schema: schema, phasePath: phasePath, statusFields: statusFields)
    }

    static func isDNSLabel(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 63, let f = s.first, let l = s.last, f.isLetter || f.isNumber, l.isLetter || l.isNumber else {
            return false
        }
        return s.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f == "_" || ("a"..."z").contains(f) || ("A"..."Z").contains(f) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    /// Checks an id or loop variable name; reports and returns false when unusable.
    mutating func checkName(_ name: String, at path: YAMLPath, what: String, taken: Set<String>) -> Bool {
        if !Self.isIdentifier(name) {
            reader.error("\(what) \"\(name)\" must be an identifier (letters, digits and '_', not starting with a digit) so expressions can use it", at: path)
            return false
        }
        if Self.reservedNames.contains(name) {
            reader.error("\(what) \"\(name)\" is reserved", at: path)
            return false
        }
        if taken.contains(name) {
            reader.error("duplicate id \"\(name)\": ids of lookups, children and loop variables must be unique in a rule", at: path)
            return false
        }
        return true
    }
}

/// The variables expressions may use at a point of the rule.
struct Scope {
    var lookups: [String] = []
    var children: [String] = []

    var ids: Set<String> { Set(lookups + children) }

    /// Checks the fields expressions read from `self` when the rule declares a schema (or, with
    /// `--cluster`, its watched kind's schema is known).
    var selfChecker: SchemaFieldChecker?

    /// Lookups and children whose kind's schema came from the cluster: their field checker and
    /// static type (a list of objects for selector lookups and forEach children).
    var typed: [String: (checker: SchemaFieldChecker, type: CELStaticType)] = [:]

    /// The static type of `self` (from the schema), computed once.
    var selfType: CELStaticType?

    /// The environment with `self`, the lookups and children, and `extra` (loop variables, of the
    /// static types in `types`, `dyn` otherwise). With a schema, `self` is typed and type errors are
    /// compile errors.
    func environment(adding extra: [String] = [], types: [String: CELStaticType] = [:]) -> CELEnvironment {
        var env = CELEnvironment(variables: ["self"] + lookups + children + extra)
        // The time of the reconcile (Rule+Time.swift).
        env.declareClock("now")
        for (name, type) in types where extra.contains(name) { env.declare(name, type: type) }
        for name in lookups + children + extra {
            guard let (checker, type) = typed[name] else { continue }
            env.checkFieldPaths(of: name, with: checker)
            env.declare(name, type: type)
            env.reportsTypeErrors = true
        }
        if let selfChecker {
            env.checkFieldPaths(of: "self", with: selfChecker)
            env.declare("self", type: selfType ?? selfChecker.selfType)
            env.reportsTypeErrors = true
        }
        return env
    }

    /// Only `self` (for `watch.when` and lookups).
    func selfEnvironment() -> CELEnvironment {
        Scope(selfChecker: selfChecker, selfType: selfType).environment()
    }
}
