//! The `sigscan` command.

fn main() {
    println!("sigscan {}", env!("CARGO_PKG_VERSION"));
}
