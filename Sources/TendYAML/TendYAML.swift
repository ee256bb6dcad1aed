// TendYAML: see docs/architecture.md.
