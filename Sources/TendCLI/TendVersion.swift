/// The version `tend --version` prints.
enum TendVersion {
    static let current = "0.1.0-dev"
}
