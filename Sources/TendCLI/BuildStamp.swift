/// What `scripts/release` stamps into a release build: the git commit it was built from.
///
/// The committed value is `nil` (a development build, `tend version` says `commit: unknown`).
/// `scripts/release` rewrites the `commit` line for the duration of its build and restores the
/// file afterwards, so the working tree never keeps a stamped copy.
enum BuildStamp {
    static let commit: String? = nil
}
