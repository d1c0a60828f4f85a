//! The text of a question as tokens: accents folded (salinité → salinite), lower case, numbers and ISO
//! dates as single tokens, and number words ("three", "trois"). Each concern claims the tokens it
//! understands, so a word is read once. This file is the parser's leaf: it imports nothing of the
//! crate; typo correction against the concerns' words is [`crate::vocabulary`]'s job.

/// One token of a question.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Folded, lower-case text (or the number as written, or `YYYY-MM-DD`).
    pub s: String,
    /// The value when the token is a number.
    pub num: Option<f64>,
    /// Written in capitals in the question ("DO" as dissolved oxygen, not the verb).
    pub upper: bool,
    /// Starts with a capital letter in the question (an unknown proper name).
    pub cap: bool,
    /// No white space before it (`10N`, `20m`).
    pub glued: bool,
    /// Claimed by a concern.
    pub used: bool,
}

/// A tokenised question.
#[derive(Debug, Clone)]
pub struct Text {
    pub original: String,
    pub toks: Vec<Token>,
}

/// Folds accents and typographic variants to ASCII.
pub fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ã' => "a",
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => "e",
        'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Î' => "i",
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'Ó' | 'Ô' | 'Ö' => "o",
        'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ü' => "u",
        'ç' | 'Ç' => "c",
        'ñ' | 'Ñ' => "n",
        'ā' => "a",
        'ō' => "o",
        'ū' => "u",
        'ø' => "o",
        'æ' => "ae",
        'œ' => "oe",
        'ß' => "ss",
        '–' | '—' | '−' | '‐' => "-",
        '’' | '‘' | '`' => "'",
        '≥' => ">=",
        '≤' => "<=",
        '°' | 'º' | '˚' => " ",
        'µ' | 'μ' => "u",
        _ => return None,
    })
}

impl Text {
    /// The tokens of `question` as written (folded, not yet corrected: see `vocabulary::read`).
    pub fn new(question: &str) -> Text {
        let mut folded = String::with_capacity(question.len() + 8);
        let mut caps = String::with_capacity(question.len() + 8);
        for c in question.chars() {
            match fold(c) {
                Some(f) => {
                    folded.push_str(f);
                    caps.push_str(f);
                }
                None => {
                    folded.extend(c.to_lowercase());
                    caps.push(if c.is_ascii_uppercase() { 'U' } else { 'l' });
                    // keep byte offsets aligned with `folded`
                    let extra = c.to_lowercase().map(|x| x.len_utf8()).sum::<usize>() - 1;
                    caps.extend(std::iter::repeat_n('l', extra));
                }
            }
        }
        let b = folded.as_bytes();
        let cb = caps.as_bytes();
        let mut toks: Vec<Token> = Vec::new();
        let mut i = 0;
        let mut space_before = true;
        while i < b.len() {
            let c = b[i];
            if c.is_ascii_whitespace() {
                space_before = true;
                i += 1;
                continue;
            }
            let glued = !space_before;
            space_before = false;
            let start = i;
            if c.is_ascii_alphabetic() {
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let word = &folded[start..i];
                let upper = cb[start..i].iter().all(|&x| x == b'U');
                let cap = cb[start] == b'U';
                // possessive 's
                if i + 1 < b.len()
                    && b[i] == b'\''
                    && b[i + 1] == b's'
                    && (i + 2 >= b.len() || !b[i + 2].is_ascii_alphabetic())
                {
                    i += 2;
                }
                toks.push(Token { s: word.to_string(), num: None, upper, cap, glued, used: false });
                continue;
            }
            let neg = c == b'-'
                && i + 1 < b.len()
                && b[i + 1].is_ascii_digit()
                && (start == 0 || matches!(b[start - 1], b' ' | b'(' | b'[' | b','));
            if c.is_ascii_digit() || neg {
                if neg {
                    i += 1;
                }
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                // ISO date YYYY-MM-DD (or with slashes)
                if !neg && i - start == 4 && i + 5 < b.len() && (b[i] == b'-' || b[i] == b'/') {
                    let sep = b[i];
                    let rest = &b[i..];
                    if rest.len() >= 6
                        && rest[1].is_ascii_digit()
                        && rest[2].is_ascii_digit()
                        && rest[3] == sep
                        && rest[4].is_ascii_digit()
                        && rest[5].is_ascii_digit()
                        && (rest.len() == 6 || !rest[6].is_ascii_digit())
                    {
                        let s = format!("{}-{}-{}", &folded[start..i], &folded[i + 1..i + 3], &folded[i + 4..i + 6]);
                        i += 6;
                        toks.push(Token { s, num: None, upper: false, cap: false, glued, used: false });
                        continue;
                    }
                }
                // thousands separator: 1,000
                while i + 3 < b.len()
                    && b[i] == b','
                    && b[i + 1..i + 4].iter().all(|x| x.is_ascii_digit())
                    && (i + 4 == b.len() || !b[i + 4].is_ascii_digit())
                    && i - start <= 3
                {
                    i += 4;
                }
                if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
                    i += 1;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                let s: String = folded[start..i].chars().filter(|&c| c != ',').collect();
                let num = s.parse::<f64>().ok();
                toks.push(Token { s, num, upper: false, cap: false, glued, used: false });
                continue;
            }
            // symbols
            let sym: Option<&str> = match c {
                b'>' | b'<' => {
                    if i + 1 < b.len() && b[i + 1] == b'=' {
                        i += 1;
                        Some(if c == b'>' { ">=" } else { "<=" })
                    } else {
                        Some(if c == b'>' { ">" } else { "<" })
                    }
                }
                b'-' => Some("-"),
                b',' => Some(","),
                b'/' => Some("/"),
                b'?' => Some("?"),
                b'%' => Some("%"),
                b'\'' => {
                    space_before = true;
                    None
                }
                _ => {
                    // other punctuation separates words; multi-byte characters are skipped whole
                    space_before = true;
                    None
                }
            };
            i += 1;
            while i < b.len() && !folded.is_char_boundary(i) {
                i += 1;
            }
            if let Some(s) = sym {
                toks.push(Token { s: s.to_string(), num: None, upper: false, cap: false, glued, used: false });
            }
        }
        // "o2" written glued
        let mut k = 0;
        while k + 1 < toks.len() {
            if toks[k].s == "o" && toks[k + 1].s == "2" && toks[k + 1].glued {
                toks[k].s = "o2".into();
                toks.remove(k + 1);
            }
            k += 1;
        }
        Text { original: question.to_string(), toks }
    }

    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// The token text at `i` if it exists and is unclaimed.
    pub fn free(&self, i: usize) -> Option<&str> {
        self.toks.get(i).filter(|t| !t.used).map(|t| t.s.as_str())
    }

    /// The token text at `i` whether claimed or not.
    pub fn word(&self, i: usize) -> Option<&str> {
        self.toks.get(i).map(|t| t.s.as_str())
    }

    pub fn num(&self, i: usize) -> Option<f64> {
        self.toks.get(i).filter(|t| !t.used).and_then(|t| t.num)
    }

    pub fn claim(&mut self, from: usize, n: usize) {
        for t in self.toks.iter_mut().skip(from).take(n) {
            t.used = true;
        }
    }

    /// Whether the unclaimed tokens from `i` spell `words` (space-separated phrase).
    pub fn matches_at(&self, i: usize, phrase: &[&str]) -> bool {
        phrase.iter().enumerate().all(|(k, w)| self.free(i + k) == Some(*w))
    }

    /// First position where `phrase` (split on spaces) appears unclaimed.
    pub fn find(&self, phrase: &str) -> Option<usize> {
        let words: Vec<&str> = phrase.split(' ').collect();
        (0..self.toks.len()).find(|&i| self.matches_at(i, &words))
    }

    /// Finds the first of `phrases` (longest first at each position) and returns (position, length).
    pub fn find_any(&self, phrases: &[&str]) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        for p in phrases {
            let words: Vec<&str> = p.split(' ').collect();
            if let Some(i) = (0..self.toks.len()).find(|&i| self.matches_at(i, &words)) {
                let better = match best {
                    None => true,
                    Some((bi, bn)) => i < bi || (i == bi && words.len() > bn),
                };
                if better {
                    best = Some((i, words.len()));
                }
            }
        }
        best
    }

    /// Finds and claims the first of `phrases`; returns its position and length.
    pub fn take_any(&mut self, phrases: &[&str]) -> Option<(usize, usize)> {
        let hit = self.find_any(phrases)?;
        self.claim(hit.0, hit.1);
        Some(hit)
    }

    /// Whether any of `phrases` appears (claimed or not).
    pub fn mentions(&self, phrases: &[&str]) -> bool {
        phrases.iter().any(|p| {
            let words: Vec<&str> = p.split(' ').collect();
            (0..self.toks.len()).any(|i| words.iter().enumerate().all(|(k, w)| self.word(i + k) == Some(*w)))
        })
    }
}

/// Number words in English, Spanish, French and Portuguese.
pub fn number_word(w: &str) -> Option<f64> {
    Some(match w {
        "a" | "an" | "one" | "un" | "une" | "uno" | "una" | "um" | "uma" | "single" => 1.0,
        "two" | "couple" | "dos" | "deux" | "dois" | "duas" => 2.0,
        "three" | "few" | "tres" | "trois" => 3.0,
        "four" | "cuatro" | "quatre" | "quatro" => 4.0,
        "five" | "cinco" | "cinq" => 5.0,
        "six" | "seis" => 6.0,
        "seven" | "siete" | "sept" | "sete" => 7.0,
        "eight" | "ocho" | "huit" | "oito" => 8.0,
        "nine" | "nueve" | "neuf" | "nove" => 9.0,
        "ten" | "diez" | "dix" | "dez" => 10.0,
        "eleven" | "once" | "onze" => 11.0,
        "twelve" | "doce" | "douze" | "doze" | "dozen" => 12.0,
        "fifteen" | "quince" | "quinze" => 15.0,
        "eighteen" => 18.0,
        "twenty" | "veinte" | "vingt" | "vinte" => 20.0,
        "thirty" | "treinta" | "trente" | "trinta" => 30.0,
        "fifty" => 50.0,
        "hundred" => 100.0,
        _ => return None,
    })
}
