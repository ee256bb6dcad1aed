import Testing
import TendEngine
@testable import TendCLI

/// The text of the progress line a live `tend plan` or `tend explain` shows on a terminal.
struct ProgressLineTests {
    @Test func theLineSaysWhatIsListedPerKind() {
        #expect(ProgressLine.listing([]) == "Connecting...")
        let progress = [
            Engine.ListingProgress(kind: "ConfigMap.v1", objects: 1204, synced: true),
            Engine.ListingProgress(kind: "Deployment.v1.apps", objects: 31, synced: false),
        ]
        #expect(ProgressLine.listing(progress) == "Listing: ConfigMap.v1 1,204, Deployment.v1.apps 31 (synced 1 of 2 kinds)")
        #expect(ProgressLine.grouped(1_234_567) == "1,234,567" && ProgressLine.grouped(12) == "12")
    }
}
