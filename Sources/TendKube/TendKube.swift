// TendKube: see docs/architecture.md.
