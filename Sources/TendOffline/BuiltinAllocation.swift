import TendValue

/// Values the API server allocates for built-in kinds when it creates an object, allocated by the
/// offline cluster in a recognizable form: a Job's generated selector and pod template labels
/// (`controller-uid: <the Job's uid>`, `job-name`), unless `spec.manualSelector` is true.
/// (A Service's cluster IP is allocated by ``OfflineCluster`` itself.)
///
/// The differential tests compare these by the object they belong to: a uid is named after its
/// object wherever it appears (`ServerIdentities`), so the offline and live Job compare equal.
enum BuiltinAllocation {
    /// `object`, just created with `uid`, with its server-allocated fields filled in.
    static func allocated(_ object: Value, uid: String) -> Value {
        guard object["apiVersion"] == "batch/v1", object["kind"] == "Job", object["spec"]?["manualSelector"] != true,
            let name = object["metadata"]?["name"]?.stringValue
        else { return object }
        var o = object
        // Labels copied from the template (SetDefaults_Job) follow it, generated labels included.
        let labelsFollowTemplate = o["metadata"]?["labels"] == nil || o["metadata"]?["labels"] == o["spec"]?["template"]?["metadata"]?["labels"]
        if o["spec"]?["selector"] == nil {
            o["spec"]?["selector"] = ["matchLabels": ["controller-uid": .string(uid)]]
        }
        BuiltinDefaults.setIfAbsent(&o, ["spec", "template", "metadata", "labels", "controller-uid"], .string(uid))
        BuiltinDefaults.setIfAbsent(&o, ["spec", "template", "metadata", "labels", "job-name"], .string(name))
        if labelsFollowTemplate, let labels = o["spec"]?["template"]?["metadata"]?["labels"] { o["metadata"]?["labels"] = labels }
        return o
    }
}
