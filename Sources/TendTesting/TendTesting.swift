// TendTesting: test doubles shipped as a library (ManualClock, ...).
