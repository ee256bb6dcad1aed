public import TendValue

extension KubeClient {
    /// The server's OpenAPI v2 document (`GET /openapi/v2`, JSON): every served kind's schema under
    /// `definitions`, built-in kinds and installed CRDs alike, each kind's definition tagged with
    /// `x-kubernetes-group-version-kind`. Several megabytes; fetch it once per command.
    public func openAPIV2() async throws(KubeError) -> Value {
        try await getJSON("/openapi/v2", description: RequestDescription(verb: "get", resource: "openapi/v2"))
    }
}
