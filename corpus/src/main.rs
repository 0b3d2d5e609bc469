//! sigscan-corpus: builds the test and benchmark corpora.
//!
//! Filled by the corpus issue.

fn main() {
    eprintln!("sigscan-corpus: nothing to build yet");
}
