import TendCEL
import TendMeta
import TendOffline
import TendValue

extension Context {
    mutating func planChild(_ child: Rule.Child, into plan: inout ReconcilePlan) {
        // A child reading a child or lookup that is left out (includeWhen false) is left out too, and pruned.
        if let dep = (child.dependencies + child.lookupDependencies).first(where: { excluded.contains($0) }) {
            trace?.children.append(.init(id: child.id, outcome: .excludedWith(dep)))
            excluded.insert(child.id)
            ready[child.id] = true
            variables[child.id] = child.isCollection ? .array([]) : .null
            return
        }
        // A child reading another child that does not exist yet waits for it.
        for dep in child.dependencies where isAbsent(variables[dep]) {
            trace?.children.append(.init(id: child.id, outcome: .waiting(on: dep)))
            waiting.insert(child.id)
            plan.children.append(contentsOf: existing(child).map { live in
                PlannedChild(id: child.id, loop: [:], kind: live.kind, key: live.key, desired: live.value, live: live.value, action: .waiting(on: dep), ready: false)
            })
            if existing(child).isEmpty {
                plan.problems.append(.init(reason: "Waiting", message: "child \(child.id) waits for \(dep) to exist", child: child.id))
            }
            variables[child.id] = child.isCollection ? .array([]) : .null
            ready[child.id] = false
            return
        }
        // A child reading one whose dependents wait for readiness waits until it is ready.
        for dep in child.dependencies where !(ready[dep] ?? false) && waitsForReadiness(of: dep) {
            trace?.children.append(.init(id: child.id, outcome: .waiting(on: dep)))
            waiting.insert(child.id)
            plan.waitingForReady.insert(child.id)
            plan.children.append(contentsOf: existing(child).map { live in
                PlannedChild(id: child.id, loop: [:], kind: live.kind, key: live.key, desired: live.value, live: live.value, action: .waiting(on: dep), ready: false)
            })
            if existing(child).isEmpty {
                plan.problems.append(.init(reason: "Waiting", message: "child \(child.id) waits for \(dep) to be ready", child: child.id))
            }
            variables[child.id] = child.isCollection ? .array([]) : .null
            ready[child.id] = false
            return
        }
        var combinations: [[String: Value]] = [[:]]
        for (name, program) in child.forEach {
            switch Result(catching: { () throws(CELError) -> Value in try program.evaluate(variables).toValue() }) {
            case .success(.array(let values)):
                combinations = combinations.flatMap { combo in values.map { combo.merging([name: $0]) { $1 } } }
            case .success(let other):
                fail(child, "forEach \(name) must be a list, got \(other.typeName)", into: &plan)
                return
            case .failure(let error):
                fail(child, "forEach \(name): \(program.diagnostic(for: error))", into: &plan)
                return
            }
        }
        var lives: [Value] = []
        var allReady = true
        var includedCount = 0
        defer {
            if includedCount == 0 && !child.includeWhen.isEmpty && !waiting.contains(child.id) { excluded.insert(child.id) }
        }
        for loop in combinations {
            var scope = variables
            for (k, v) in loop { scope[k] = v }
            var included = true
            var includeTrace: [PlanTrace.Evaluation] = []
            for condition in child.includeWhen {
                let result = Result(catching: { () throws(CELError) -> Bool in try condition.evaluateCondition(scope) })
                if trace != nil { includeTrace.append(.init(condition, result: result)) }
                switch result {
                case .success(let b): included = included && b
                case .failure(let error):
                    fail(child, "includeWhen: \(condition.diagnostic(for: error))", into: &plan)
                    return
                }
            }
            guard included else {
                trace?.children.append(.init(id: child.id, loop: loop, outcome: .excluded, includeWhen: includeTrace, ready: true))
                continue
            }
            includedCount += 1
            let desired: Value
            switch child.template.evaluate(scope) {
            case .success(let v): desired = v
            case .failure(let d):
                fail(child, "template: \(d)", into: &plan)
                return
            }
            guard let rendered = render(child, desired, into: &plan) else { return }
            let (kind, key, object) = rendered
            let ref = ObjectReference(kind: kind, key: key)
            if desiredKeys.contains(ref) {
                fail(child, "two instances render the same object \(ref); make metadata.name depend on the loop variables", into: &plan)
                return
            }
            desiredKeys.insert(ref)
            let live = world.object(kind, namespace: key.namespace, name: key.name)
            var action: PlannedChild.Action
            var drift: Drift?
            var replacement: PlannedChild.Replacement?
            if let live, !isManaged(live) && !child.adopt {
                action = .notOwned
                plan.problems.append(.init(reason: "NotOwned", message: "\(ref) exists and is not managed by rule \(rule.name) for this object; set adopt: true on child \(child.id) to take it over", child: child.id))
            } else if live != nil, child.updatePolicy == .createOnly {
                // Created once, then left alone: neither template changes nor others' edits are applied.
                action = .unchanged
            } else if let live {
                let hashMatches = live["metadata"]?["annotations"]?[ObjectMatch.appliedHashAnnotation]?.stringValue == object["metadata"]?["annotations"]?[ObjectMatch.appliedHashAnnotation]?.stringValue
                action = hashMatches && ObjectMatch.contains(live, object) ? .unchanged : .update
                if action == .update && hashMatches { drift = Drift.analyze(desired: object, live: live, excluding: rule.ownManagers) }
                if action == .update {
                    switch child.updatePolicy {
                    case .replace: replacement = .always
                    case .recreate: replacement = ImmutableFields.refusal(live: live, updated: ImmutableFields.overlaid(object, on: live)).map { .immutable($0) }
                    case .apply, .createOnly: break
                    }
                }
            } else {
                action = .create
            }
            var isReady = live != nil && action != .notOwned
            var readyTrace: [PlanTrace.Evaluation] = []
            if isReady, let live {
                scope = instanceScope(scope, child, live)
                for condition in child.readyWhen {
                    let result = Result(catching: { () throws(CELError) -> Bool in try condition.evaluateCondition(scope) })
                    if trace != nil { readyTrace.append(.init(condition, result: result)) }
                    switch result {
                    case .success(let b): isReady = isReady && b
                    case .failure: isReady = false  // a field not there yet: not ready, not an error
                    }
                }
            }
            allReady = allReady && isReady
            trace?.children.append(.init(id: child.id, loop: loop, outcome: .planned, includeWhen: includeTrace, readyWhen: readyTrace, ready: isReady, plannedIndex: plan.children.count))
            if let live { lives.append(live) }
            plan.children.append(PlannedChild(id: child.id, loop: loop, kind: kind, key: key, desired: object, live: live, action: action, ready: isReady, drift: drift, replacement: replacement))
        }
        ready[child.id] = allReady
        variables[child.id] = child.isCollection ? .array(lives) : (lives.first ?? .null)
    }

    private func isAbsent(_ v: Value?) -> Bool {
        switch v {
        case nil, .null?: true
        default: false
        }
    }

    /// Whether Tend manages `live` for this parent under this rule.
    func isManaged(_ live: Value) -> Bool {
        let labels = live["metadata"]?["labels"]
        guard labels?[Rule.ruleLabel]?.stringValue == rule.name else { return false }
        return parentUID.isEmpty || labels?[Rule.ownerUIDLabel]?.stringValue == parentUID
    }

    /// Existing managed objects of `child` (by its annotation), for children that cannot be rendered now.
    func existing(_ child: Rule.Child) -> [(kind: GroupVersionKind, key: ObjectKey, value: Value)] {
        guard let kind = child.kind else { return [] }
        return world.list(kind, namespace: nil, labelSelector: managedSelector)
            .filter { $0["metadata"]?["annotations"]?[Rule.childIDAnnotation]?.stringValue == child.id }
            .compactMap { v in ObjectKey(of: v).map { (kind, $0, v) } }
    }

    mutating func fail(_ child: Rule.Child, _ message: String, into plan: inout ReconcilePlan) {
        trace?.children.append(.init(id: child.id, outcome: .failed(message)))
        plan.problems.append(.init(reason: "TemplateError", message: "child \(child.id): \(message)", child: child.id))
        // Keep what exists: a template error must never delete a child.
        waiting.insert(child.id)
        ready[child.id] = false
        variables[child.id] = child.isCollection ? .array([]) : .null
    }

    /// Checks a rendered child and adds Tend's labels, annotations, namespace and ownerReference.
    mutating func render(_ child: Rule.Child, _ value: Value, into plan: inout ReconcilePlan) -> (GroupVersionKind, ObjectKey, Value)? {
        guard case .object = value, let apiVersion = value["apiVersion"]?.stringValue, let kindName = value["kind"]?.stringValue,
            let kind = GroupVersionKind(apiVersion: apiVersion, kind: kindName)
        else {
            fail(child, "the rendered object needs string apiVersion and kind", into: &plan)
            return nil
        }
        guard let name = value["metadata"]?["name"]?.stringValue, !name.isEmpty else {
            fail(child, "the rendered object needs a non-empty metadata.name", into: &plan)
            return nil
        }
        // A port without `protocol` gets TCP, as the API server would give it (ListTypes).
        var object = ListTypes.builtin.withDefaultedKeys(value, kind: kind)
        let namespaced = world.isNamespaced(kind)
        var namespace = value["metadata"]?["namespace"]?.stringValue ?? ""
        if namespaced == nil {
            fail(child, "the API server does not serve \(kind)", into: &plan)
            return nil
        }
        if namespaced == true && namespace.isEmpty {
            guard !parentNamespace.isEmpty else {
                fail(child, "\(kind.kind) is namespaced and the watched object is not: set metadata.namespace", into: &plan)
                return nil
            }
            namespace = parentNamespace
            try? object.set(FieldPath([.key("metadata"), .key("namespace")]), to: .string(namespace))
        } else if namespaced == false && !namespace.isEmpty {
            fail(child, "\(kind.kind) is cluster-scoped: remove metadata.namespace", into: &plan)
            return nil
        }
        var labels = object["metadata"]?["labels"]?.objectValue ?? Value.Object()
        labels[Rule.ruleLabel] = .string(rule.name)
        if !parentUID.isEmpty { labels[Rule.ownerUIDLabel] = .string(parentUID) }
        var annotations = object["metadata"]?["annotations"]?.objectValue ?? Value.Object()
        annotations[Rule.childIDAnnotation] = .string(child.id)
        try? object.set(FieldPath([.key("metadata"), .key("labels")]), to: .object(labels))
        try? object.set(FieldPath([.key("metadata"), .key("annotations")]), to: .object(annotations))
        // A controller ownerReference lets the garbage collector delete the child with its parent; it
        // is only valid within one namespace, or from a cluster-scoped parent.
        let parentNamespaced = !parentNamespace.isEmpty
        let sameScope = !parentNamespaced || (namespaced == true && namespace == parentNamespace)
        if sameScope && !parentUID.isEmpty {
            let owner: Value = [
                "apiVersion": .string(rule.watch.kind.apiVersion), "kind": .string(rule.watch.kind.kind),
                "name": .string(parentName), "uid": .string(parentUID), "controller": true, "blockOwnerDeletion": true,
            ]
            try? object.set(FieldPath([.key("metadata"), .key("ownerReferences")]), to: [owner])
        }
        if !sameScope {
            annotations[Rule.ownerAnnotation] = .string(parentNamespaced ? "\(parentNamespace)/\(parentName)" : parentName)
        }
        if !sameScope || child.onDelete == .orphan { plan.needsFinalizer = true }
        // The hash of everything above marks what Tend last applied.
        // The field manager is part of it: a child applied by another manager (Tend's single manager
        // before per-rule ownership) is applied once more, which takes over that manager's fields.
        let hash = ObjectMatch.hash(["fieldManager": .string(rule.fieldManager), "object": object])
        annotations[ObjectMatch.appliedHashAnnotation] = .string(hash)
        try? object.set(FieldPath([.key("metadata"), .key("annotations")]), to: .object(annotations))
        return (kind, ObjectKey(namespace: namespaced == true ? namespace : "", name: name), object)
    }

    /// Whether children reading `id` wait for it to be ready (its own `dependentsWait`, else the rule's).
    func waitsForReadiness(of id: String) -> Bool {
        (rule.children.first { $0.id == id }?.dependentsWait ?? rule.dependentsWait) == .ready
    }
}
