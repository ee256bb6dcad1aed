// TendRegex: see docs/architecture.md.
