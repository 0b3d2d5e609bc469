//! Where YARA-X's `yr` is, for the tests that compare with it.

use std::path::PathBuf;

/// `yr`: at `$SIGSCAN_YR` if set, else `/opt/yr/bin/yr`, else the first
/// `yr` on `PATH`; `None` when there is none (the caller says it skips).
pub fn yr() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SIGSCAN_YR") {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    let fixed = PathBuf::from("/opt/yr/bin/yr");
    if fixed.is_file() {
        return Some(fixed);
    }
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs).map(|d| d.join("yr")).find(|p| p.is_file())
}
