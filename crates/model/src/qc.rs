//! Quality-control flags: the Argo reference table 2 digits and the IOOS QARTOD flags share one type.

/// One QC flag. Argo uses 0–9 (0 no QC, 1 good, 2 probably good, 3 probably bad, 4 bad, 5 changed,
/// 8 estimated, 9 missing); QARTOD uses 1 pass, 2 not evaluated, 3 suspect, 4 fail, 9 missing.
/// A blank flag (`' '` in an Argo file: no value at that level) is [`QcFlag::BLANK`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QcFlag(u8);

impl QcFlag {
    pub const NO_QC: QcFlag = QcFlag(0);
    pub const GOOD: QcFlag = QcFlag(1);
    pub const PROBABLY_GOOD: QcFlag = QcFlag(2);
    pub const PROBABLY_BAD: QcFlag = QcFlag(3);
    pub const BAD: QcFlag = QcFlag(4);
    pub const CHANGED: QcFlag = QcFlag(5);
    pub const ESTIMATED: QcFlag = QcFlag(8);
    pub const MISSING: QcFlag = QcFlag(9);
    /// No flag at all (a fill character in the file).
    pub const BLANK: QcFlag = QcFlag(255);

    /// A flag from its digit 0–9; anything else is `None`.
    pub fn new(digit: u8) -> Option<QcFlag> {
        (digit <= 9).then_some(QcFlag(digit))
    }

    /// Decodes an Argo QC character: `'0'..='9'` are flags, anything else (space, NUL) is blank.
    pub fn from_char(c: u8) -> QcFlag {
        if c.is_ascii_digit() { QcFlag(c - b'0') } else { QcFlag::BLANK }
    }

    /// The Argo character for this flag (`' '` for blank).
    pub fn to_char(self) -> u8 {
        if self.0 <= 9 { b'0' + self.0 } else { b' ' }
    }

    /// The digit, or `None` for blank.
    pub fn digit(self) -> Option<u8> {
        (self.0 <= 9).then_some(self.0)
    }

    /// The raw byte used for compact storage (0–9, 255 for blank).
    pub fn to_byte(self) -> u8 {
        self.0
    }

    /// Inverse of [`QcFlag::to_byte`]; unknown bytes are blank.
    pub fn from_byte(b: u8) -> QcFlag {
        if b <= 9 { QcFlag(b) } else { QcFlag::BLANK }
    }

    pub fn is_blank(self) -> bool {
        self.0 > 9
    }
}
