import TendMeta
import TendValue

extension OfflineCluster {
    /// A write the API server refuses as invalid, worded as it words it
    /// (`WebApp.example.com "shop" is invalid: spec.replicas: Invalid value: ...`).
    package struct Refusal: Error, Sendable, CustomStringConvertible {
        package var description: String
    }

    /// What the API server makes of a custom object before it stores it, in its order: unknown fields
    /// pruned (``SchemaPruning``), defaults filled in (``StructuralDefaults``), then validated
    /// (``SchemaValidator``). Objects of built-in kinds get the 1.20 server's defaults
    /// (``BuiltinDefaults``); test steps are also checked (``BuiltinValidation``, ``applyStep(_:)``).
    func admitted(_ object: Value) -> Result<Value, Refusal> {
        guard let schema = defaults.schema(of: object) else { return Self.admittedBuiltin(object) }
        let admitted = defaults.applied(to: SchemaPruning.pruned(object, schema: schema))
        let errors = SchemaValidator.validate(admitted, schema: schema, path: "")
        guard !errors.isEmpty else { return .success(admitted) }
        return .failure(Refusal(description: Self.invalidMessage(admitted, errors)))
    }

    /// A built-in object defaulted as the 1.20 API server does; others pass unchanged.
    static func admittedBuiltin(_ object: Value) -> Result<Value, Refusal> {
        .success(BuiltinDefaults.applied(to: object))
    }

    /// The 1.20 API server's refusal of a built-in object (``BuiltinValidation``), if any.
    static func builtinRefusal(_ object: Value) -> Refusal? {
        let defaulted = BuiltinDefaults.applied(to: object)
        let errors = BuiltinValidation.errors(of: defaulted)
        guard !errors.isEmpty else { return nil }
        let kind = object["kind"]?.stringValue ?? ""
        let group = object["apiVersion"]?.stringValue.flatMap { api in api.contains("/") ? String(api.split(separator: "/")[0]) : nil }
        let qualified = group.map { "\(kind).\($0)" } ?? kind
        let listed = errors.count == 1 ? errors[0] : "[" + errors.joined(separator: ", ") + "]"
        return Refusal(description: "\(qualified) \"\(object["metadata"]?["name"]?.stringValue ?? "")\" is invalid: \(listed)")
    }

    /// The API server's `StatusReasonInvalid` message for `errors` of `object`.
    static func invalidMessage(_ object: Value, _ errors: [SchemaValidator.FieldError]) -> String {
        let kind = object["kind"]?.stringValue ?? ""
        let group = object["apiVersion"]?.stringValue.flatMap { api in api.contains("/") ? String(api.split(separator: "/")[0]) : nil }
        let qualified = group.map { "\(kind).\($0)" } ?? kind
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        let listed = errors.count == 1 ? errors[0].description : "[" + errors.map(\.description).joined(separator: ", ") + "]"
        return "\(qualified) \"\(name)\" is invalid: \(listed)"
    }
}
