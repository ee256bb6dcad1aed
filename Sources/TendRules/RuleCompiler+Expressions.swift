import TendCEL
import TendValue
import TendYAML

extension RuleCompiler {
    /// Compiles a condition written as `${expr}` (or a bare expression) at `path`. When `mustBe` is
    /// given and the expression's inferred type is known and another one, that is reported
    /// ("includeWhen must be a bool, but this expression is a string") and the program is still returned.
    mutating func compileCondition(_ path: YAMLPath, environment: CELEnvironment, what: String, mustBe: CELType? = .bool) -> CELProgram? {
        guard let value = reader.value(path) else { return nil }
        let text: String
        switch value {
        case .string(let s): text = s
        case .bool(let b): text = b ? "true" : "false"  // `includeWhen: [true]`
        default:
            reader.error("\(what) must be an expression like ${self.spec.enabled}, found \(value.typeName)", at: path)
            return nil
        }
        let lead = text.prefix { $0 == " " }.count
        let trimmed = text.trimmingWhitespace()
        var expression = text
        var offset = 0
        if trimmed.hasPrefix("${") && trimmed.hasSuffix("}") {
            // Compile as a template first: it finds the matching brace (strings and nesting included).
            do {
                let template = try CELTemplate(trimmed, environment: environment, location: expressionLocation(path, offset: lead))
                guard template.isWholeExpression else {
                    reader.error("\(what) must be a single ${...} expression", at: path)
                    return nil
                }
                expression = String(trimmed.dropFirst(2).dropLast())
                offset = lead + 2
            } catch {
                reader.add(error.diagnostics)
                return nil
            }
        } else if CELTemplate.containsExpression(text) {
            reader.error("\(what) must be a single ${...} expression", at: path)
            return nil
        }
        do {
            let program = try CELProgram(expression, environment: environment, location: expressionLocation(path, offset: offset))
            if let mustBe { requireResult(program, [mustBe], "\(what) must be \(Self.described(mustBe))") }
            return program
        } catch {
            reader.add(error.diagnostics)
            return nil
        }
    }

    /// Reports `program` when its inferred result type is known and none of `allowed`: evaluation
    /// would always fail there. The message is `requirement` followed by what the expression is.
    mutating func requireResult(_ program: CELProgram, _ allowed: [CELType], _ requirement: String) {
        guard let kind = program.resultType.kind, !allowed.contains(kind) else { return }
        reader.add([program.resultDiagnostic("\(requirement), but this expression is \(Self.described(program.resultType))")])
    }

    /// `a bool`, `an int`, `a list(string)`, `null`.
    static func described(_ type: CELStaticType) -> String {
        type == .null ? "null" : type.description.hasPrefix("int") ? "an \(type)" : "a \(type)"
    }

    static func described(_ type: CELType) -> String {
        switch type {
        case .null: "null"
        case .int: "an int"
        case .list: "a list"
        case .map: "a map"
        default: "a \(type.name)"
        }
    }

    /// Where character `offset` of the scalar at `path` is in the file.
    func expressionLocation(_ path: YAMLPath, offset: Int) -> SourceLocation {
        guard let info = reader.info(path) else { return reader.location(path).0 }
        return info.location(ofContentOffset: offset)
    }

    /// Compiles the value at `path` into a template: strings with `${...}` become expressions.
    mutating func compileTemplate(_ path: YAMLPath, environment: CELEnvironment) -> TemplateNode {
        guard let value = reader.value(path) else { return .literal(.null) }
        return compileTemplate(value, path: path, environment: environment)
    }

    mutating func compileTemplate(_ value: Value, path: YAMLPath, environment: CELEnvironment) -> TemplateNode {
        switch value {
        case .string(let s) where CELTemplate.containsExpression(s) || s.contains("$${"):
            let location = reader.info(path)?.contentLocation ?? reader.location(path).0
            do {
                return .template(try CELTemplate(s, environment: environment, location: location))
            } catch {
                reader.add(error.diagnostics)
                return .literal(value)
            }
        case .array(let items):
            let nodes = items.enumerated().map { compileTemplate($1, path: path.appending(index: $0), environment: environment) }
            return nodes.allSatisfy(\.isLiteral) ? .literal(value) : .array(nodes)
        case .object(let o):
            var entries: [(key: TemplateNode.Key, value: TemplateNode)] = []
            var anyExpression = false
            for (k, v) in o {
                let child = compileTemplate(v, path: path.appending(key: k), environment: environment)
                var key = TemplateNode.Key.literal(k)
                if CELTemplate.containsExpression(k) {
                    let location = reader.keyLocation(path.appending(key: k)).0
                    do {
                        key = .template(try CELTemplate(k, environment: environment, location: location))
                        anyExpression = true
                    } catch {
                        reader.add(error.diagnostics)
                    }
                }
                if !child.isLiteral { anyExpression = true }
                entries.append((key, child))
            }
            return anyExpression ? .object(entries) : .literal(value)
        default:
            return .literal(value)
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" { s = s.dropLast() }
        return String(s)
    }
}

