import Testing

/// `tend run` option validation that needs no cluster.
struct RunOptionsTests {
    @Test func resyncPeriodMustBeADuration() throws {
        let cli = RuleCommandsTests()
        let bad = try cli.tend(["run", "rules/webapp", "--resync-period", "often"])
        #expect(bad.status == 64, "\(bad.stderr)")
        #expect(bad.stderr.contains("--resync-period must be a duration such as 10h, 30m or 0"))
        let negative = try cli.tend(["run", "rules/webapp", "--resync-period", "-5m"])
        #expect(negative.status == 64)
        let help = try cli.tend(["run", "--help"])
        #expect(help.stdout.contains("--resync-period"))
        #expect(help.stdout.contains("(default: 10h)"))
    }

    @Test func reloadIntervalMustBeADuration() throws {
        let cli = RuleCommandsTests()
        let bad = try cli.tend(["run", "rules/webapp", "--reload-interval", "sometimes"])
        #expect(bad.status == 64, "\(bad.stderr)")
        #expect(bad.stderr.contains("--reload-interval must be a duration such as 5s, 1m or 0"))
        let help = try cli.tend(["run", "--help"])
        #expect(help.stdout.contains("--reload-interval"))
        #expect(help.stdout.contains("(default: 5s)"))
        #expect(help.stdout.contains("SIGHUP"))
    }

    @Test func helpDocumentsShadowMode() throws {
        let help = try RuleCommandsTests().tend(["run", "--help"])
        #expect(help.stdout.contains("--dry-run"))
        #expect(help.stdout.contains("shadow mode"))
        #expect(help.stdout.contains("tend_shadow_rejections_total"))
    }

    @Test func eventsIsProblemsOrAll() throws {
        let cli = RuleCommandsTests()
        let bad = try cli.tend(["run", "rules/webapp", "--events", "some"])
        #expect(bad.status == 64, "\(bad.stderr)")
        #expect(bad.stderr.contains("--events must be one of: problems, all"))
        let help = try cli.tend(["run", "--help"])
        #expect(help.stdout.contains("--events"))
        #expect(help.stdout.contains("(default: problems)"))
    }
}
