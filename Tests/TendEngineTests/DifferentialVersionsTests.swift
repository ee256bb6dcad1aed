import Testing
import TendTesting
import TendValue

/// A resourceVersion a rule copies into an annotation compares as the name of its object; the same
/// number anywhere else is compared as it is.
@Suite struct DifferentialVersionsTests {
    static func secret(version: String) -> Value {
        ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s", "namespace": "default", "resourceVersion": .string(version)]]
    }

    static func deployment(annotation: String, replicas: String) -> Value {
        ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d", "namespace": "default"],
         "spec": ["template": ["metadata": ["annotations": ["restart": .string(annotation)]]], "note": .string(replicas)]]
    }

    @Test func anAnnotationHoldingAVersionComparesByItsObject() {
        let offline = DifferentialSnapshot([Self.secret(version: "1"), Self.deployment(annotation: "1", replicas: "3")])
        let live = DifferentialSnapshot([Self.secret(version: "161994"), Self.deployment(annotation: "161994", replicas: "3")])
        #expect(DifferentialComparison.differences(offline: offline, live: live).isEmpty)
    }

    @Test func theSameNumberOutsideAnnotationsIsComparedAsItIs() {
        let offline = DifferentialSnapshot([Self.secret(version: "3"), Self.deployment(annotation: "3", replicas: "3")])
        let live = DifferentialSnapshot([Self.secret(version: "161994"), Self.deployment(annotation: "161994", replicas: "3")])
        #expect(DifferentialComparison.differences(offline: offline, live: live).isEmpty)
        let otherVersion = DifferentialSnapshot([Self.secret(version: "161994"), Self.deployment(annotation: "161993", replicas: "3")])
        #expect(DifferentialComparison.differences(offline: offline, live: otherVersion).map(\.object.key.name) == ["d"])
    }
}
