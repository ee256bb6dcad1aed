#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Field names of Kubernetes objects longer than 15 UTF-8 bytes (the longest a Swift string stores
/// inline), shared so that parsing one does not allocate a new string.
///
/// Every cached Pod repeats names like `terminationMessagePolicy` dozens of times; sharing one
/// immutable string per name saves an allocation each (about 48 bytes) and the UTF-8 validation.
enum KnownKeys {
    static let all: [String] = [
        "creationTimestamp", "deletionTimestamp", "ownerReferences", "resourceVersion", "blockOwnerDeletion",
        "managedFields", "lastTransitionTime", "observedGeneration", "terminationMessagePath",
        "terminationMessagePolicy", "terminationGracePeriodSeconds", "imagePullPolicy", "imagePullSecrets",
        "initialDelaySeconds", "successThreshold", "failureThreshold", "timeoutSeconds", "periodSeconds",
        "serviceAccountName", "automountServiceAccountToken", "enableServiceLinks", "preemptionPolicy",
        "tolerationSeconds", "containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses",
        "expirationSeconds", "serviceAccountToken", "readinessProbe", "livenessProbe", "startupProbe",
        "securityContext", "schedulerName", "priorityClassName", "restartPolicy", "dnsPolicy",
        "volumeMounts", "containerPort", "lastProbeTime", "readyReplicas", "availableReplicas",
        "updatedReplicas", "unavailableReplicas", "progressDeadlineSeconds", "revisionHistoryLimit",
        "maxUnavailable", "rollingUpdate", "matchExpressions", "matchLabels", "persistentVolumeClaim",
        "nodeSelector", "topologySpreadConstraints", "dnsConfig", "hostNetwork", "runAsNonRoot",
        "readOnlyRootFilesystem", "allowPrivilegeEscalation", "defaultMode", "configMapKeyRef",
        "secretKeyRef", "fieldRef", "resourceFieldRef", "lastUpdateTime", "lastHeartbeatTime",
        "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
        "app.kubernetes.io/component", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by",
        "pod-template-hash", "controller-revision-hash", "pod-template-generation",
        "kubectl.kubernetes.io/last-applied-configuration", "kubectl.kubernetes.io/restartedAt",
        "deployment.kubernetes.io/revision", "prometheus.io/scrape", "kubernetes.io/service-account.name",
        "kubernetes.io/service-account.uid", "kube-root-ca.crt", "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable", "NoExecute", "IfNotPresent", "ClusterFirst", "default-scheduler",
        "/dev/termination-log", "/var/run/secrets/kubernetes.io/serviceaccount", "PreemptLowerPriority",
        "ContainersReady", "tend.dev/owner-uid", "tend.dev/applied-hash", "tend.dev/inventory",
    ].filter { $0.utf8.count > 15 }

    static let maximumLength = 64

    /// Candidates indexed by UTF-8 length, for a lookup that compares only strings of the right size.
    static let byLength: [[(bytes: [UInt8], string: String)]] = {
        var table = [[(bytes: [UInt8], string: String)]](repeating: [], count: maximumLength + 1)
        for s in all where s.utf8.count <= maximumLength { table[s.utf8.count].append((Array(s.utf8), s)) }
        return table
    }()

    /// The shared string whose UTF-8 is `bytes`, if it is a known name.
    @inline(__always)
    static func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count > 15, bytes.count <= maximumLength, let base = bytes.baseAddress else { return nil }
        let candidates = byLength[bytes.count]
        for candidate in candidates {
            let equal = candidate.bytes.withUnsafeBufferPointer { c in
                c.baseAddress.map { memcmp($0, base, bytes.count) == 0 } ?? false
            }
            if equal { return candidate.string }
        }
        return nil
    }
}
