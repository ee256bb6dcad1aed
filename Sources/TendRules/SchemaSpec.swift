public import TendValue

/// The schema of a kind a rule defines, from which `tend crds` prints a CustomResourceDefinition.
///
/// Field schemas are OpenAPI v3 as in a CRD (`type`, `default`, `minimum`, `enum`, `items`,
/// `properties`, `required`, `description`, ...), written directly under `spec:` as a map of field
/// name to schema; they are passed through to the CRD.
public struct SchemaSpec: Sendable {
    public var group: String
    public var version: String
    public var kind: String
    public var plural: String
    public var singular: String
    public var scope: Scope
    public var shortNames: [String]
    /// Properties of `spec`, in order.
    public var spec: Value.Object
    /// Properties of `status` beyond the ones Tend writes (phase, conditions, observedGeneration).
    public var status: Value.Object
    /// Named field schemas (`schema.types`) that fields use as `type: Name`.
    public var types: Value.Object = Value.Object()
    /// Extra `additionalPrinterColumns` (`name`, `type`, `jsonPath`, ...), shown before Age.
    public var printerColumns: [Value] = []
    /// `kubectl get <category>` groups the kind belongs to (e.g. `all`).
    public var categories: [String] = []

    public enum Scope: String, Sendable { case namespaced = "Namespaced", cluster = "Cluster" }

    /// The CRD for this schema: status subresource enabled, printer columns for phase and Ready.
    ///
    /// `statusFields` are the names the rule writes under `status` (its `status.fields`); those the
    /// schema does not describe are declared with `x-kubernetes-preserve-unknown-fields`, so the
    /// API server keeps them whatever their type.
    public func customResourceDefinition(phasePath: FieldPath?, statusFields: [String] = []) -> Value {
        var statusProperties = Value.Object()
        statusProperties["phase"] = ["type": "string"]
        // A phase kept elsewhere (`phase.path: status.state`) is declared there too, or the API
        // server would refuse every status write ("field not declared in schema").
        if let phasePath, phasePath.components.count == 2, case .key("status") = phasePath.components[0], case .key(let field) = phasePath.components[1] {
            statusProperties[field] = ["type": "string"]
        }
        statusProperties["observedGeneration"] = ["type": "integer", "format": "int64"]
        if phasePath != nil {
            statusProperties["phaseTransitionTime"] = ["type": "string", "format": "date-time"]
            statusProperties["pendingTransition"] = [
                "type": "object",
                "properties": ["to": ["type": "string"], "since": ["type": "string", "format": "date-time"]],
            ]
            statusProperties["phaseHistory"] = [
                "type": "array",
                "maxItems": .int(Int64(Planner.phaseHistoryLimit)),
                "items": [
                    "type": "object",
                    "properties": [
                        "from": ["type": "string"], "to": ["type": "string"], "time": ["type": "string", "format": "date-time"],
                        "reason": ["type": "string"], "message": ["type": "string"],
                    ],
                ],
            ]
        }
        statusProperties["conditions"] = [
            "type": "array",
            "items": [
                "type": "object",
                "required": ["type", "status"],
                "properties": [
                    "type": ["type": "string"], "status": ["type": "string", "enum": ["True", "False", "Unknown"]],
                    "reason": ["type": "string"], "message": ["type": "string"],
                    "lastTransitionTime": ["type": "string", "format": "date-time"],
                    "observedGeneration": ["type": "integer", "format": "int64"],
                ],
            ],
        ]
        for name in statusFields where statusProperties[name] == nil {
            statusProperties[name] = ["x-kubernetes-preserve-unknown-fields": true]
        }
        for (k, v) in Self.structural(status, types: types).properties { statusProperties[k] = v }
        let (specProperties, specRequired) = Self.structural(spec, types: types)
        var specSchema: Value = ["type": "object", "properties": .object(specProperties)]
        if !specRequired.isEmpty {
            specSchema["required"] = .array(specRequired.map(Value.string))
        } else if Self.hasDefaults(specSchema) {
            specSchema["default"] = .emptyObject
        }
        var root: Value = [
            "type": "object",
            "properties": ["spec": specSchema, "status": ["type": "object", "properties": .object(statusProperties)]],
        ]
        if !specRequired.isEmpty { root["required"] = ["spec"] }
        var columns: [Value] = []
        if let phasePath {
            columns.append(["name": "Phase", "type": "string", "jsonPath": .string(".\(phasePath)")])
        }
        columns.append(["name": "Ready", "type": "string", "jsonPath": #".status.conditions[?(@.type=="Ready")].status"#])
        columns += printerColumns
        columns.append(["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"])
        var names: Value = ["plural": .string(plural), "singular": .string(singular), "kind": .string(kind), "listKind": .string(kind + "List")]
        if !shortNames.isEmpty { names["shortNames"] = .array(shortNames.map(Value.string)) }
        if !categories.isEmpty { names["categories"] = .array(categories.map(Value.string)) }
        return [
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": ["name": .string("\(plural).\(group)")],
            "spec": [
                "group": .string(group),
                "names": names,
                "scope": .string(scope.rawValue),
                "versions": [[
                    "name": .string(version), "served": true, "storage": true,
                    "subresources": ["status": [:]],
                    "additionalPrinterColumns": .array(columns),
                    "schema": ["openAPIV3Schema": root],
                ]],
            ],
        ]
    }
}
