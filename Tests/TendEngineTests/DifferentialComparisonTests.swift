import Testing
import TendMeta
import TendTesting
import TendValue

/// The comparison the differential tests make, without a cluster: what is kept, what is ignored,
/// and how a difference reads.
@Suite struct DifferentialComparisonTests {
    static let ns: Value = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "payments", "uid": "u-ns"]]

    /// A live object as the server returns it, with an offline twin made of the same intent.
    static let liveChild: Value = [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": [
            "name": "c", "namespace": "payments", "uid": "u-live-c", "resourceVersion": "812", "generation": 3,
            "creationTimestamp": "2026-01-01T00:00:00Z", "managedFields": [["manager": "tend/r"]],
            "labels": ["tend.dev/rule": "r", "tend.dev/owner-uid": "u-ns"],
            "annotations": ["tend.dev/applied-hash": "abc", "note": "x"],
            "ownerReferences": [["apiVersion": "v1", "kind": "Namespace", "name": "payments", "uid": "u-ns", "controller": true]],
        ],
        "data": ["url": "http://10.0.0.7:80"],
    ]
    static let offlineChild: Value = [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": [
            "name": "c", "namespace": "payments", "uid": "00000000-0000-4000-8000-000000000002", "resourceVersion": "5", "generation": 1,
            "labels": ["tend.dev/owner-uid": "00000000-0000-4000-8000-000000000001", "tend.dev/rule": "r"],
            "annotations": ["note": "x", "tend.dev/applied-hash": "def"],
            "ownerReferences": [["apiVersion": "v1", "kind": "Namespace", "name": "payments", "uid": "00000000-0000-4000-8000-000000000001"]],
        ],
        "data": ["url": "http://10.0.0.11:80"],
    ]
    static func service(uid: String, ip: String) -> Value {
        ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "s", "namespace": "payments", "uid": .string(uid)], "spec": ["clusterIP": .string(ip), "ports": [["port": 80]]]]
    }

    static func snapshots(offline: [Value], live: [Value]) -> (DifferentialSnapshot, DifferentialSnapshot) {
        var offlineNS = ns
        offlineNS["metadata"]?["uid"] = "00000000-0000-4000-8000-000000000001"
        return (DifferentialSnapshot([offlineNS] + offline), DifferentialSnapshot([ns] + live))
    }

    @Test func serverAssignedValuesAndIgnoredFieldsDoNotDiffer() {
        let (o, l) = Self.snapshots(
            offline: [Self.offlineChild, Self.service(uid: "00000000-0000-4000-8000-000000000003", ip: "10.0.0.11")],
            live: [Self.liveChild, Self.service(uid: "u-s", ip: "10.0.0.7")])
        #expect(DifferentialComparison.differences(offline: o, live: l).isEmpty)
    }

    @Test func aDifferentValueShowsAsADiffNamingTheObject() throws {
        var child = Self.liveChild
        child["data"]?["extra"] = "1"
        child["metadata"]?["finalizers"] = ["cleanup.tend.dev/r"]
        let (o, l) = Self.snapshots(offline: [Self.offlineChild], live: [child])
        let differences = DifferentialComparison.differences(offline: o, live: l)
        let d = try #require(differences.first)
        #expect(differences.count == 1)
        #expect(d.kind == .differs)
        let text = d.description
        #expect(text.hasPrefix("ConfigMap.v1 payments/c differs:"), "\(text)")
        #expect(text.contains("+  extra: \"1\""), "\(text)")
        #expect(text.contains("+  finalizers:"), "\(text)")
        #expect(text.contains("--- offline") && text.contains("+++ live"))
    }

    @Test func anObjectOnOneSideOnlyIsADifference() {
        let (o, l) = Self.snapshots(offline: [Self.offlineChild], live: [])
        let differences = DifferentialComparison.differences(offline: o, live: l)
        #expect(differences.map(\.kind) == [.offlineOnly])
        #expect(differences.first?.description.hasPrefix("ConfigMap.v1 payments/c exists offline only") == true)
    }

    @Test func conditionsAreTypeStatusAndReasonAndTimesAreLeftOut() {
        let view = DifferentialView()
        let status: Value = [
            "phase": "Running", "phaseTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": 2,
            "conditions": [["type": "Ready", "status": "True", "reason": "AllReady", "message": "since 10:00", "lastTransitionTime": "t", "observedGeneration": 2]],
            "phaseHistory": [["from": "Pending", "to": "Running", "time": "t", "reason": "Up"]],
            "pendingTransition": ["to": "Degraded", "since": "t"],
        ]
        let object: Value = ["apiVersion": "example.com/v1", "kind": "WebApp", "metadata": ["name": "w", "namespace": "t"], "status": status]
        let v = view.comparable(object, identities: ServerIdentities(objects: []))
        #expect(v["status"] == [
            "conditions": [["reason": "AllReady", "status": "True", "type": "Ready"]],
            "observedGeneration": 2,
            "pendingTransition": ["to": "Degraded"],
            "phase": "Running",
            "phaseHistory": [["from": "Pending", "reason": "Up", "to": "Running"]],
        ])
    }

    /// Each default is dropped only at its value, for its kind.
    @Test func builtInDefaultsAreDroppedOnlyAtTheirValue() throws {
        let view = DifferentialView()
        let ids = ServerIdentities(objects: [])
        let defaulted: Value = [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d", "namespace": "t"],
            "spec": [
                "replicas": 2, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
                "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]],
                "template": [
                    "metadata": ["creationTimestamp": .null, "labels": ["app": "d"]],
                    "spec": [
                        "containers": [
                            ["name": "a", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent", "resources": .emptyObject,
                             "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"],
                            ["name": "b", "image": "nginx", "imagePullPolicy": "Always", "ports": [["containerPort": 80, "protocol": "TCP"]]],
                        ],
                        "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
                        "securityContext": .emptyObject, "terminationGracePeriodSeconds": 30,
                    ],
                ],
            ],
            "status": .emptyObject,
        ]
        let bare: Value = [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d", "namespace": "t"],
            "spec": ["replicas": 2, "template": ["metadata": ["labels": ["app": "d"]], "spec": ["containers": [
                ["name": "a", "image": "nginx:1.27"], ["name": "b", "image": "nginx", "ports": [["containerPort": 80]]],
            ]]]],
        ]
        #expect(view.comparable(defaulted, identities: ids) == view.comparable(bare, identities: ids))

        var pinned = defaulted
        pinned["spec"]?["revisionHistoryLimit"] = 3
        try pinned.set(FieldPath([.key("spec"), .key("template"), .key("spec"), .key("containers"), .index(0), .key("imagePullPolicy")]), to: "Always")
        let kept = view.comparable(pinned, identities: ids)
        #expect(kept["spec"]?["revisionHistoryLimit"] == 3, "a value other than the default stays")
        #expect(kept["spec"]?["template"]?["spec"]?["containers"]?[0]?["imagePullPolicy"] == "Always", "the policy follows the tag")

        let namespace: Value = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "n"], "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"]]
        #expect(view.comparable(namespace, identities: ids) == ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "n"]], "a map left empty goes too")
        let terminating: Value = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "n"], "status": ["phase": "Terminating"]]
        #expect(view.comparable(terminating, identities: ids)["status"] == ["phase": "Terminating"])

        let limits: Value = ["apiVersion": "v1", "kind": "LimitRange", "metadata": ["name": "l"],
                             "spec": ["limits": [["type": "Container", "default": ["cpu": "500m"], "defaultRequest": ["cpu": "500m"]],
                                                 ["type": "Container", "default": ["cpu": "1"], "defaultRequest": ["cpu": "100m"]]]]]
        let limitView = view.comparable(limits, identities: ids)
        #expect(limitView["spec"]?["limits"]?[0]?["defaultRequest"] == nil)
        #expect(limitView["spec"]?["limits"]?[1]?["defaultRequest"] == ["cpu": "100m"])
    }

    @Test func identitiesReplaceWholeTokensOnly() {
        let ids = ServerIdentities(objects: [Self.service(uid: "u-s", ip: "10.0.0.1")])
        #expect(ids.substituted("http://10.0.0.1:80") == "http://<clusterIP of Service payments/s>:80")
        #expect(ids.substituted("10.0.0.12") == "10.0.0.12", "not inside a longer address")
        #expect(ids.substituted("u-s") == "<uid of Service payments/s>")
        #expect(ids.substituted("u-ser") == "u-ser")
    }

    @Test func aKnownDifferenceMatchesItsTestStepAndObject() throws {
        let ref = try #require(ObjectReference(of: Self.liveChild))
        let d = Difference(object: ref, offline: nil, live: Self.liveChild)
        #expect(KnownDifference(test: "t", object: ref, reason: "r").matches(test: "t", step: "any", d))
        #expect(KnownDifference(test: "t", step: "one", object: ref, reason: "r").matches(test: "t", step: "one", d))
        #expect(!KnownDifference(test: "t", step: "one", object: ref, reason: "r").matches(test: "t", step: "two", d))
        #expect(!KnownDifference(test: "u", object: ref, reason: "r").matches(test: "t", step: "one", d))
    }
}
