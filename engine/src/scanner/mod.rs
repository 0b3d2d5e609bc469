//! The scanner: runs compiled rules over data.

mod matches;

pub use matches::Match;
pub(crate) use matches::MatchTable;
