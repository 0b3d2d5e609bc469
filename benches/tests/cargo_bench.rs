//! `cargo bench -p sigscan-benches -- --quick` must reach criterion only:
//! every binary (like the library) opts out of libtest's bench harness,
//! which refuses criterion's flags (`--quick`) and fails the whole run.

#[test]
fn every_binary_opts_out_of_libtest_benches() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let toml = std::fs::read_to_string(format!("{dir}/Cargo.toml"))
        .expect("Cargo.toml");
    let bins = std::fs::read_dir(format!("{dir}/src/bin")).expect("src/bin");
    for entry in bins {
        let path = entry.expect("entry").path();
        let name = path.file_stem().expect("a file name").to_string_lossy();
        let wanted = format!("[[bin]]\nname = \"{name}\"\nbench = false");
        assert!(
            toml.contains(&wanted),
            "src/bin/{name}.rs: Cargo.toml needs `bench = false` for it"
        );
    }
}
