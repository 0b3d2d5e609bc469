//! The matches found by one search, per pattern.

use crate::compiler::patterns::PatternId;

/// One match of a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match {
    /// Offset of the first byte in the scanned data.
    pub offset: usize,
    /// Length in bytes.
    pub len: usize,
    /// The key of an `xor` pattern's match.
    pub xor_key: Option<u8>,
}

/// Matches of every pattern of a scan, reused across scans.
#[derive(Clone, Debug, Default)]
pub(crate) struct MatchTable {
    per_pattern: Vec<Vec<Match>>,
    /// Beside each match: the rank of the form of its pattern that
    /// found it (see [`MatchTable::add`]).
    order: Vec<Vec<u32>>,
    /// The patterns with at least one match, in the order they got it:
    /// only these are cleared by [`MatchTable::reset`].
    touched: Vec<PatternId>,
}

impl MatchTable {
    /// The `order` of the forms of a pattern whose longer match at one
    /// offset stays, whichever form found it and when (a greedy regex
    /// YARA-X re-reports, `RegexSub::longest_across_forms`).
    pub const LONGEST: u32 = u32::MAX;

    /// Empties the table and makes room for `n` patterns, keeping the
    /// allocations of earlier scans.
    pub fn reset(&mut self, n: usize) {
        for &id in &self.touched {
            if let Some(v) = self.per_pattern.get_mut(id as usize) {
                v.clear();
            }
            if let Some(v) = self.order.get_mut(id as usize) {
                v.clear();
            }
        }
        self.touched.clear();
        // Never shrunk: a search may use more slots than the scanner
        // (chain pieces), which would otherwise be freed every scan.
        if self.per_pattern.len() < n {
            self.per_pattern.resize_with(n, Vec::new);
            self.order.resize_with(n, Vec::new);
        }
    }

    /// Empties the lists of the ids from `n` on (a search's chain pieces,
    /// once joined), leaving the others.
    pub fn clear_from(&mut self, n: usize) {
        for &id in &self.touched {
            if id as usize >= n {
                if let Some(v) = self.per_pattern.get_mut(id as usize) {
                    v.clear();
                }
                if let Some(v) = self.order.get_mut(id as usize) {
                    v.clear();
                }
            }
        }
        self.touched.retain(|&id| (id as usize) < n);
    }

    /// The patterns with at least one match (unordered).
    pub fn matched_patterns(&self) -> &[PatternId] {
        &self.touched
    }

    /// The matches of pattern `id`, sorted by offset.
    pub fn get(&self, id: PatternId) -> &[Match] {
        self.per_pattern.get(id as usize).map_or(&[], |v| v.as_slice())
    }

    /// Adds a match of pattern `id` keeping the list sorted by offset
    /// with at most one match per offset, as YARA-X 1.22 does: at an
    /// offset already matched the first match stays, unless
    /// `replace_if_longer` (a greedy regex). Then, if that match is the
    /// last of the list, the new one's end replaces its end even when
    /// shorter; further back only a longer match extends it. Returns
    /// `false` (and changes nothing) if the pattern already has `max`
    /// matches.
    ///
    /// `order` ranks the form of the pattern that found the match in
    /// the order YARA-X verifies them at one offset (see `form_orders`):
    /// between two forms the result does not depend on the order the
    /// search found them in. The lower rank's match is found first by
    /// YARA-X, so the higher rank's stays when greedy (it replaces the
    /// end), the lower one's otherwise; with [`MatchTable::LONGEST`]
    /// the longer.
    pub fn add(
        &mut self,
        id: PatternId,
        m: Match,
        replace_if_longer: bool,
        order: u32,
        max: usize,
    ) -> bool {
        let (Some(list), Some(orders)) = (
            self.per_pattern.get_mut(id as usize),
            self.order.get_mut(id as usize),
        ) else {
            return true;
        };
        if list.len() >= max {
            return false;
        }
        let last = list.len();
        let mut i = last;
        while i > 0 {
            let prev = &mut list[i - 1];
            if prev.offset == m.offset {
                let prev_order = &mut orders[i - 1];
                if order == Self::LONGEST {
                    if prev.len < m.len {
                        *prev = m;
                    }
                } else if *prev_order != order {
                    let later = order > *prev_order;
                    if replace_if_longer == later {
                        *prev = m;
                        *prev_order = order;
                    }
                } else if replace_if_longer && (i == last || prev.len < m.len)
                {
                    prev.len = m.len;
                }
                return true;
            }
            if m.offset > prev.offset {
                break;
            }
            i -= 1;
        }
        if list.is_empty() {
            self.touched.push(id);
        }
        list.insert(i, m);
        orders.insert(i, order);
        true
    }

    /// Number of patterns the table has room for.
    pub fn num_patterns(&self) -> usize {
        self.per_pattern.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(offset: usize, len: usize) -> Match {
        Match { offset, len, xor_key: None }
    }

    #[test]
    fn add_keeps_order_and_one_match_per_offset() {
        let mut t = MatchTable::default();
        t.reset(1);
        for (o, l) in [(2, 8), (1, 9), (4, 6), (3, 7), (5, 5)] {
            assert!(t.add(0, m(o, l), false, 0, 100));
        }
        let offs: Vec<usize> = t.get(0).iter().map(|x| x.offset).collect();
        assert_eq!(offs, vec![1, 2, 3, 4, 5]);
        // Same offset: the first stays unless replacing by a longer one.
        assert!(t.add(0, m(3, 9), false, 0, 100));
        assert_eq!(t.get(0)[2], m(3, 7));
        assert!(t.add(0, m(3, 9), true, 0, 100));
        assert_eq!(t.get(0)[2], m(3, 9));
        assert!(t.add(0, m(3, 1), true, 0, 100));
        assert_eq!(t.get(0)[2], m(3, 9));
        // At the last offset a greedy regex's new match replaces the end,
        // even with a shorter one (YARA-X 1.22: `/b[^a]*/ ascii wide`
        // reports the wide match found after the longer ascii one).
        assert!(t.add(0, m(5, 2), true, 0, 100));
        assert_eq!(t.get(0)[4], m(5, 2));
        assert!(t.add(0, m(5, 1), false, 0, 100));
        assert_eq!(t.get(0)[4], m(5, 2));
        // Across forms the second form's match stays when greedy, the
        // first form's otherwise, whatever the order they come in.
        assert!(t.add(0, m(6, 1), true, 1, 100));
        assert!(t.add(0, m(7, 1), true, 0, 100));
        assert!(t.add(0, m(6, 4), true, 0, 100));
        assert_eq!(t.get(0)[5], m(6, 1));
        assert!(t.add(0, m(7, 3), false, 1, 100));
        assert_eq!(t.get(0)[6], m(7, 1));
        // With LONGEST the longer stays, even at the last offset.
        let longest = MatchTable::LONGEST;
        assert!(t.add(0, m(8, 4), true, longest, 100));
        assert!(t.add(0, m(8, 2), true, longest, 100));
        assert_eq!(t.get(0)[7], m(8, 4));
        assert!(t.add(0, m(8, 6), true, longest, 100));
        assert_eq!(t.get(0)[7], m(8, 6));
    }

    #[test]
    fn add_respects_the_limit_and_unknown_ids() {
        let mut t = MatchTable::default();
        t.reset(1);
        assert!(t.add(0, m(0, 1), false, 0, 2));
        assert!(t.add(0, m(1, 1), false, 0, 2));
        assert!(!t.add(0, m(2, 1), false, 0, 2));
        assert_eq!(t.get(0).len(), 2);
        assert!(t.add(7, m(0, 1), false, 0, 2));
        assert!(t.get(7).is_empty());
        assert_eq!(t.matched_patterns(), &[0]);
        t.reset(2);
        assert!(t.get(0).is_empty());
        assert!(t.matched_patterns().is_empty());
        assert_eq!(t.num_patterns(), 2);
    }
}
