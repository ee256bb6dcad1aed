import TendKube
import TendTesting

/// The local control plane the cluster tests run against (see TendTesting's ``LocalCluster``: found
/// through `TEND_CLUSTER_DIR` or `KUBECONFIG`; under `CI=true` a missing cluster fails the suite).
typealias KubeTestCluster = LocalCluster

extension LocalCluster {
    /// The cluster's configuration with other credentials.
    func configuration(_ credentials: ClientConfiguration.Credentials) -> ClientConfiguration {
        var c = configuration
        c.credentials = credentials
        return c
    }
}
