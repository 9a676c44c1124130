//! The short texts an error quotes: the value at fault, an unknown
//! parameter name, the ids a matcher error names. Copied into the error
//! (it outlives the request), and cut so that the error stays small.

/// The bytes all quoted texts of one error share: what is left of 64.
pub(crate) const ECHO_BYTES: usize = 40;
/// The most texts one error quotes.
const PIECES: usize = 4;
/// What marks a cut text.
const CUT: &str = "…";

/// Up to [`PIECES`] texts in [`ECHO_BYTES`] bytes. A text that does not
/// fit its share is cut at a character boundary and ends with `…`; short
/// texts leave their unused share to the long ones.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Echo {
    bytes: [u8; ECHO_BYTES],
    /// Where each text ends in `bytes` (texts not given end where the
    /// last one given does).
    ends: [u8; PIECES],
}

impl Echo {
    /// No text.
    pub(crate) const EMPTY: Echo = Echo {
        bytes: [0; ECHO_BYTES],
        ends: [0; PIECES],
    };

    /// Copies `texts` (only the first [`PIECES`]), each cut to its share.
    pub(crate) fn new(texts: &[&str]) -> Echo {
        let texts = texts.get(..PIECES).unwrap_or(texts);
        let budgets = shares(texts, ECHO_BYTES);
        let mut echo = Echo::EMPTY;
        let mut at = 0;
        for (i, end) in echo.ends.iter_mut().enumerate() {
            if let (Some(text), Some(&budget)) = (texts.get(i), budgets.get(i)) {
                let mut piece = Piece::new(&mut echo.bytes, at, budget);
                piece.push(text);
                at = piece.finish();
            }
            *end = at as u8;
        }
        echo
    }

    /// Copies `name` whole (it must fit [`ECHO_BYTES`]) as text 0, then
    /// `texts` (the first three) as texts 1 and on, sharing what is left.
    pub(crate) fn named(name: &str, texts: &[&str]) -> Echo {
        let texts = texts.get(..PIECES - 1).unwrap_or(texts);
        let mut echo = Echo::EMPTY;
        let mut piece = Piece::new(&mut echo.bytes, 0, ECHO_BYTES);
        piece.push(name);
        let mut at = piece.finish();
        echo.ends = [at as u8; PIECES];
        let budgets = shares(texts, ECHO_BYTES - at);
        for (i, end) in echo.ends.iter_mut().enumerate().skip(1) {
            if let (Some(text), Some(&budget)) = (texts.get(i - 1), budgets.get(i - 1)) {
                let mut piece = Piece::new(&mut echo.bytes, at, budget);
                piece.push(text);
                at = piece.finish();
            }
            *end = at as u8;
        }
        echo
    }

    /// Copies `raw`, each stretch that is not UTF-8 replaced with U+FFFD, as
    /// the only text.
    pub(crate) fn lossy(raw: &[u8]) -> Echo {
        let mut echo = Echo::EMPTY;
        let mut piece = Piece::new(&mut echo.bytes, 0, ECHO_BYTES);
        for chunk in raw.utf8_chunks() {
            piece.push(chunk.valid());
            if !chunk.invalid().is_empty() {
                piece.push("\u{fffd}");
            }
        }
        let end = piece.finish() as u8;
        echo.ends = [end; PIECES];
        echo
    }

    /// Text `i` (empty when there is none).
    pub(crate) fn get(&self, i: usize) -> &str {
        let start = i.checked_sub(1).and_then(|before| self.ends.get(before));
        let start = start.copied().unwrap_or(0);
        let end = self.ends.get(i).copied().unwrap_or(start);
        // Pieces are copied and cut at character boundaries, so this is
        // always UTF-8.
        self.bytes
            .get(usize::from(start)..usize::from(end))
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

/// Each text's share of `room` bytes: all of it when everything fits;
/// else an equal share each, with what short texts leave over going to
/// the long ones in order.
fn shares(texts: &[&str], room: usize) -> [usize; PIECES] {
    let total: usize = texts.iter().map(|t| t.len()).sum();
    if total <= room {
        return [room; PIECES];
    }
    let mut budgets = [0; PIECES];
    let fair = room / texts.len().max(1);
    let mut left = room;
    for (budget, text) in budgets.iter_mut().zip(texts) {
        *budget = text.len().min(fair);
        left -= *budget;
    }
    for (budget, text) in budgets.iter_mut().zip(texts) {
        let more = (text.len() - *budget).min(left);
        *budget += more;
        left -= more;
    }
    budgets
}

/// One text being copied into `bytes[start..start + budget]`.
struct Piece<'a> {
    bytes: &'a mut [u8; ECHO_BYTES],
    start: usize,
    end: usize,
    limit: usize,
    cut: bool,
}

impl<'a> Piece<'a> {
    fn new(bytes: &'a mut [u8; ECHO_BYTES], start: usize, budget: usize) -> Self {
        Piece {
            bytes,
            start,
            end: start,
            limit: (start + budget).min(ECHO_BYTES),
            cut: false,
        }
    }

    /// Appends `text`, or as much of it as fits (whole characters).
    fn push(&mut self, text: &str) {
        if self.cut {
            return;
        }
        let mut take = text.len().min(self.limit - self.end);
        if take < text.len() {
            self.cut = true;
            while !text.is_char_boundary(take) {
                take -= 1;
            }
        }
        if let (Some(slot), Some(part)) = (
            self.bytes.get_mut(self.end..self.end + take),
            text.as_bytes().get(..take),
        ) {
            slot.copy_from_slice(part);
            self.end += take;
        }
    }

    /// Ends the text (with `…` if it was cut) and returns where it ends.
    fn finish(mut self) -> usize {
        if self.cut {
            let written = self.end;
            // Back to a character boundary with room for the mark.
            let mut end = self.end.min(self.limit.saturating_sub(CUT.len()));
            while end > self.start && self.bytes.get(end).is_some_and(|&b| b & 0xC0 == 0x80) {
                end -= 1;
            }
            self.end = end.max(self.start);
            if let Some(slot) = self.bytes.get_mut(self.end..self.end + CUT.len()) {
                slot.copy_from_slice(CUT.as_bytes());
                self.end += CUT.len();
            }
            // No stray bytes past the end: equal errors hold equal bytes.
            if let Some(stray) = self.bytes.get_mut(self.end..written.max(self.end)) {
                stray.fill(0);
            }
        }
        self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn short_texts_are_kept_whole() {
        let echo = Echo::new(&["sg-1", "cn-hangzhou"]);
        assert_eq!(
            (echo.get(0), echo.get(1), echo.get(2)),
            ("sg-1", "cn-hangzhou", "")
        );
        assert_eq!(Echo::EMPTY.get(0), "");
        let full = "x".repeat(ECHO_BYTES);
        assert_eq!(Echo::new(&[&full]).get(0), full);
    }

    #[test]
    fn long_texts_are_cut_at_char_boundaries_and_share_the_room() {
        let long = "名".repeat(40);
        let echo = Echo::new(&[&long]);
        assert!(echo.get(0).ends_with('…'));
        assert!(echo.get(0).len() <= ECHO_BYTES);
        assert!(long.starts_with(echo.get(0).trim_end_matches('…')));

        let echo = Echo::new(&["sg-a", &"v".repeat(60), "sg-b", &"w".repeat(60)]);
        assert_eq!((echo.get(0), echo.get(2)), ("sg-a", "sg-b"));
        for i in [1, 3] {
            assert!(echo.get(i).ends_with('…'), "{}", echo.get(i));
        }
        let used: usize = (0..4).map(|i| echo.get(i).len()).sum();
        assert!(used <= ECHO_BYTES);
        // The short texts' unused share goes to the long ones.
        assert!(echo.get(1).len() > ECHO_BYTES / 4);
    }

    #[test]
    fn a_name_is_kept_whole_and_the_texts_share_the_rest() {
        let name = "Permissions.100.DestGroupOwnerAccount";
        let echo = Echo::named(name, &["abcdef"]);
        assert_eq!(echo.get(0), name);
        assert!(echo.get(1).ends_with('…'), "{}", echo.get(1));
        assert_eq!(echo.get(2), "");
        let echo = Echo::named("Permissions.1.Policy", &["allow"]);
        assert_eq!(
            (echo.get(0), echo.get(1)),
            ("Permissions.1.Policy", "allow")
        );
    }

    #[test]
    fn lossy_replaces_what_is_not_utf8() {
        assert_eq!(Echo::lossy(b"a\xffb").get(0), "a\u{fffd}b");
        let long = Echo::lossy(&[0xff; 40]);
        assert!(long.get(0).ends_with('…'));
        assert!(long.get(0).starts_with('\u{fffd}'));
    }
}
