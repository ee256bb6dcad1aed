public import TendValue

/// Compile errors: every problem found in an expression, each located in the file.
public struct CELCompileError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// A compiled CEL expression: parsed, checked against a ``CELEnvironment`` and turned into a
/// tree of closures once, then evaluated any number of times, from any thread.
///
/// ```swift
/// let guard = try CELProgram("self.spec.replicas > 0", environment: CELEnvironment(variables: ["self"]))
/// let ready = try guard.evaluate(["self": object]) == .bool(true)
/// ```
public struct CELProgram: Sendable {
    /// The expression text.
    public let source: String
    /// Where the expression's first character is in its file.
    public let location: SourceLocation
    let root: Eval
    let slotCount: Int
    let bindings: [(name: String, slot: Int)]
    /// Slots of variables declared `timestamp`: a string value is taken as RFC 3339.
    let timestampSlots: Set<Int>
    let timeBoundaryEvals: [Eval]
    /// Whether the expression reads a clock variable (``CELEnvironment/declareClock(_:)``, the
    /// rules' `now`): its result may change with time alone. ``timeBoundaries(_:)`` says when, where it can.
    public let readsTimeVariable: Bool
    /// The result when the whole expression folded to a constant.
    let constantResult: CELValue?
    /// The type the type checker inferred for the result from the environment's variable types
    /// (`dyn` when unknown); a successful evaluation always yields a value of this type.
    public let resultType: CELStaticType

    /// Compiles `expression`.
    ///
    /// - Parameters:
    ///   - environment: the variables in scope.
    ///   - location: the position of the expression's first character in its file; diagnostics
    ///     are located relative to it (a column offset on the first line; later lines of a
    ///     multi-line expression keep their own columns).
    /// - Throws: ``CELCompileError`` with a diagnostic for the syntax error, or for every unknown
    ///   variable, unknown function, wrong argument count, invalid literal pattern and problem a
    ///   field path checker of the environment found, and, when the environment
    ///   ``CELEnvironment/reportsTypeErrors``, every certain type error.
    public init(_ expression: String, environment: CELEnvironment = CELEnvironment(),
                location: SourceLocation = SourceLocation(file: "<expression>", line: 1, column: 1)) throws(CELCompileError) {
        source = expression
        self.location = location
        let ast: Expr
        do {
            ast = try Parser.parse(expression)
        } catch {
            throw CELCompileError(diagnostics: [Self.diagnostic(expression, location, error.offset, error.length, "syntax error: " + error.message)])
        }
        var checker = TypeChecker(environment: environment)
        resultType = checker.check(ast)
        var compiler = Compiler(environment: environment, timestampReads: checker.timestampReads)
        let node = compiler.compile(ast)
        if !environment.fieldCheckers.isEmpty { compiler.checkFieldPaths(ast) }
        if environment.reportsTypeErrors { compiler.problems += checker.problems }
        var estimator = CostEstimator(environment: environment)
        _ = estimator.cost(ast)
        if let p = estimator.problem { compiler.problems.append(p) }
        if !compiler.problems.isEmpty {
            let ordered = compiler.problems.enumerated().sorted { ($0.element.offset, $0.offset) < ($1.element.offset, $1.offset) }.map(\.element)
            throw CELCompileError(diagnostics: ordered.map {
                Self.diagnostic(expression, location, $0.offset, $0.length, $0.message)
            })
        }
        root = node.eval
        constantResult = node.constant
        slotCount = compiler.slotCount
        bindings = compiler.variableSlots.map { ($0.key, $0.value) }.sorted { $0.slot < $1.slot }
        timestampSlots = Set(bindings.filter { environment.variables[$0.name]?.type == .timestamp }.map(\.slot))
        timeBoundaryEvals = compiler.timeBoundaries
        readsTimeVariable = bindings.contains { environment.variables[$0.name]?.isClock == true }
    }

    /// The instants at which a comparison with a timestamp variable in this expression changes its
    /// result, for `variables` (Compiler+TimeBoundaries.swift); boundaries that fail to evaluate
    /// (a missing field, a comprehension variable) are left out.
    public func timeBoundaries(_ variables: [String: Value]) -> [CELTimestamp] {
        guard !timeBoundaryEvals.isEmpty else { return [] }
        let a = Activation.make(slotCount: slotCount)
        for b in bindings {
            guard let v = variables[b.name] else { continue }
            a[b.slot] = value(v, slot: b.slot)
        }
        return timeBoundaryEvals.compactMap { e in
            guard case .timestamp(let t)? = try? e(a) else { return nil }
            return t
        }
    }

    private func value(_ v: Value, slot: Int) -> CELValue {
        if timestampSlots.contains(slot), case .string(let s) = v, let t = CELTimestamp(rfc3339: s) { return .timestamp(t) }
        return CELValue(v)
    }

    /// Checks `expression` without keeping the program: every diagnostic, or an empty array.
    public static func check(_ expression: String, environment: CELEnvironment = CELEnvironment(),
                             location: SourceLocation = SourceLocation(file: "<expression>", line: 1, column: 1)) -> [Diagnostic] {
        do {
            _ = try CELProgram(expression, environment: environment, location: location)
            return []
        } catch {
            return error.diagnostics
        }
    }

    /// The names of the declared variables this expression actually uses.
    public var referencedVariables: [String] { bindings.map(\.name) }

    /// Evaluates with JSON values for the variables (wrapped lazily, not converted).
    ///
    /// - Throws: ``CELError`` when evaluation fails, or when a variable the expression uses has no value.
    public func evaluate(_ variables: [String: Value] = [:]) throws(CELError) -> CELValue {
        if let constantResult { return constantResult }
        let a = Activation.make(slotCount: slotCount)
        for b in bindings {
            guard let v = variables[b.name] else { throw CELError("no value for variable '\(b.name)'") }
            a[b.slot] = timestampSlots.isEmpty ? CELValue(v) : value(v, slot: b.slot)
        }
        return try root(a)
    }

    /// Evaluates with CEL values for the variables.
    public func evaluate(celVariables variables: [String: CELValue]) throws(CELError) -> CELValue {
        if let constantResult { return constantResult }
        let a = Activation.make(slotCount: slotCount)
        for b in bindings {
            guard let v = variables[b.name] else { throw CELError("no value for variable '\(b.name)'") }
            a[b.slot] = v
        }
        return try root(a)
    }

    /// Evaluates a guard (`readyWhen`, `includeWhen`, ...): the result must be a bool.
    public func evaluateCondition(_ variables: [String: Value] = [:]) throws(CELError) -> Bool {
        let v = try evaluate(variables)
        guard case .bool(let b) = v else {
            throw CELError("expected a bool result, got '\(v.celType.name)'")
        }
        return b
    }

    /// An error diagnostic underlining the whole expression (leading and trailing whitespace
    /// excluded), for a problem with its result, such as a condition that is not a bool.
    public func resultDiagnostic(_ message: String) -> Diagnostic {
        let scalars = Array(source.unicodeScalars)
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        let start = scalars.firstIndex { !isSpace($0) } ?? 0
        let end = (scalars.lastIndex { !isSpace($0) } ?? -1) + 1
        let firstLineEnd = scalars[start..<max(start, end)].firstIndex(of: "\n") ?? max(start, end)
        return Self.diagnostic(source, location, start, max(1, firstLineEnd - start), message)
    }

    /// A diagnostic for a run-time error, located at the failing operation when known.
    public func diagnostic(for error: CELError) -> Diagnostic {
        var d = Self.diagnostic(source, location, error.offset ?? 0, 1, error.message)
        d.isAbsentValue = error.isAbsentValue
        return d
    }

    /// Maps an offset in the expression to a file location.
    static func diagnostic(_ source: String, _ base: SourceLocation, _ offset: Int, _ length: Int, _ message: String) -> Diagnostic {
        var line = 0, col = 0
        for (i, u) in source.unicodeScalars.enumerated() {
            if i >= offset { break }
            if u == "\n" { line += 1; col = 0 } else { col += 1 }
        }
        let loc = line == 0
            ? base.advanced(byColumns: col)
            : SourceLocation(file: base.file, line: base.line + line, column: col + 1)
        return Diagnostic(.error, at: loc, message, length: length)
    }
}
