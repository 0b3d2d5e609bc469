//! sigscan-benches: criterion benchmarks and differential tests that hold
//! sigscan's answers against YARA-X's.
