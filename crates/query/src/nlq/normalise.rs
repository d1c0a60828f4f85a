//! Tokenising and normalising a question: accents folded (salinité → salinite), lower case, numbers and
//! ISO dates as single tokens, and typos corrected against the parser's vocabulary (Damerau-Levenshtein
//! distance 1 for words of 4 to 6 letters, 2 from 7 letters: "avrage" → "average", "mexcio" → "mexico").
//! Each concern then claims the tokens it understands, so a word is read once.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

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
        let mut text = Text { original: question.to_string(), toks };
        text.correct_typos();
        text
    }

    fn correct_typos(&mut self) {
        let v = vocabulary();
        for t in &mut self.toks {
            if t.num.is_some() || t.s.len() < 4 || !t.s.bytes().all(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            if v.words.contains(t.s.as_str()) {
                continue;
            }
            if let Some(w) = v.nearest(&t.s) {
                t.s = w.to_string();
            }
        }
    }

    pub fn len(&self) -> usize {
        self.toks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
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

    /// Unclaimed word tokens (for the "did we understand everything" check).
    pub fn leftover(&self) -> Vec<&str> {
        self.toks.iter().filter(|t| !t.used && t.num.is_none()).map(|t| t.s.as_str()).collect()
    }
}

/// Common words that are never "corrected" into keywords.
const COMMON: &str = "a an the of in on at to for from by with and or is are was were be been what whats which \
where when how many much show me give get list find display plot map tell about over during across around near \
off this that these those there their it its do does did has have had all any some each per between within \
into than then also please i we you our my can could would should will want need data value values water waters \
ocean sea seas reading readings measured measurement measurements recorded record records observed observations \
observation level levels reported report reports reporting logged log active operating deployed located \
available has have time series region area zone place site sites station stations float floats buoy buoys reef \
reefs coral corals last past previous recent recently next since until through throughout so far year years \
month months week weeks day days today yesterday now right current currently during summer winter spring autumn \
fall season like look looking looks been being change changed changing changes warming cooling getting become \
becoming high higher low lower deep deeper depth depths below above under beneath surface top upper bottom meters \
metres meter metre versus whole entire along coast coastal waters out inside outside box lat lon latitude \
longitude north south east west northern southern eastern western central equatorial tropical subtropical polar \
arctic antarctic austral boreal hemisphere is it warm cold hot cool fresh salty high compare comparison between \
both same different difference most least more less greater smaller bigger larger degrees celsius fahrenheit \
percent psu km kilometers kilometres miles nautical nm radius within distance trend trends anomaly anomalies \
average mean median minimum maximum min max count number total sum profile profiles vertical distribution \
latest newest most recent value were was did does happening happen happened going status conditions condition \
observe observed measure measured many much show showing shown forecast predict prediction future tomorrow \
delete remove drop update modify erase insert change alter edit purge wipe truncate overwrite database table \
tables rows row please thanks thank hello hi help what why who whose island islands bay gulf strait channel \
cape point bank reef atoll lagoon sound bight passage basin current river estuary port harbor harbour city \
town frozen ice heat stress bleaching alert risk degree heating weeks dissolved oxygen chlorophyll salinity \
temperature temperatures ph acidity one two three four five six seven eight nine ten eleven twelve fifteen \
twenty thirty fifty hundred couple dozen several marine bloom blooms plume zone zones parameters parameter \
nearest closest location locations position positions event events wave waves storm storms hurricane typhoon \
cyclone upwelling front fronts eddy eddies mixed layer thermocline halocline oxygenated global world worldwide \
everywhere region regions basin basins shelf slope deepest shallowest mainland coastline offshore inshore \
nearshore open ocean oceans sea seas water column bottom floor seafloor seabed season seasons monthly daily \
weekly yearly annual annually hourly mean means median medians rate rates rising falling increase decrease \
increasing decreasing higher lower record records recorded sensor sensors instrument instruments mooring \
moorings glider gliders ship ships cruise cruises satellite satellites model models map maps chart charts \
graph graphs plot plots table tables summary summarise summarize describe explain tell about there here \
woman women create created stain cube name home none note pero pour donde cuando cual cuanto onde quando como \
comment combien porque because since while until during";

struct Vocabulary {
    words: HashSet<String>,
    by_len: HashMap<usize, Vec<String>>,
    /// Words that only occur in place names: a token is corrected into one of them only when it is
    /// long enough that the correction is not a different common word ("woman" is not "Oman").
    places: HashSet<String>,
}

impl Vocabulary {
    fn nearest(&self, w: &str) -> Option<&str> {
        let n = w.len();
        let k = if n >= 7 { 2 } else { 1 };
        let mut best: Option<(usize, &str)> = None;
        for len in n.saturating_sub(k)..=n + k {
            let Some(list) = self.by_len.get(&len) else { continue };
            for cand in list {
                // share the first letter or the second (cheap filter that keeps common typos)
                let (a, b) = (w.as_bytes(), cand.as_bytes());
                if a[0] != b[0] && (a.len() < 2 || b.len() < 2 || a[1] != b[1]) {
                    continue;
                }
                let d = damerau(w, cand, k);
                if self.places.contains(cand) && (n < 6 || (n < 9 && d > 1)) {
                    continue;
                }
                if d <= k && best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, cand.as_str()));
                }
            }
        }
        best.map(|(_, c)| c)
    }
}

fn vocabulary() -> &'static Vocabulary {
    static V: OnceLock<Vocabulary> = OnceLock::new();
    V.get_or_init(|| {
        let mut words: HashSet<String> = HashSet::new();
        add_words(&mut words, COMMON);
        for list in super::variables::WORDS
            .iter()
            .chain(super::aggregation::WORDS)
            .chain(super::time::WORDS)
            .chain(super::depth::WORDS)
            .chain(super::filters::WORDS)
            .chain(super::platform::WORDS)
            .chain(super::clarify::WORDS)
        {
            add_words(&mut words, list);
        }
        for (p, _) in super::variables::PHRASES {
            add_words(&mut words, p);
        }
        for (list, _) in super::aggregation::TABLE {
            list.iter().for_each(|p| add_words(&mut words, p));
        }
        for list in [
            super::depth::BELOW,
            super::depth::ABOVE,
            super::filters::GT,
            super::filters::GE,
            super::filters::LT,
            super::filters::LE,
            super::clarify::WRITE,
            super::clarify::FORECAST,
        ] {
            list.iter().for_each(|p| add_words(&mut words, p));
        }
        add_words(
            &mut words,
            "del da do de la le el les los las en em no na dans du des au aux mer mar agua eau dissous dissolvido \
             disuelto dissolvida que qual cual cuál quelle quel est es fue foi eso isso nos nas pour para por",
        );
        let before: HashSet<String> = words.clone();
        for name in super::gazetteer::all_names() {
            add_words(&mut words, &name);
        }
        let places: HashSet<String> = words.difference(&before).cloned().collect();
        let mut by_len: HashMap<usize, Vec<String>> = HashMap::new();
        for w in &words {
            if w.len() >= 3 {
                by_len.entry(w.len()).or_default().push(w.clone());
            }
        }
        for list in by_len.values_mut() {
            list.sort();
        }
        Vocabulary { words, by_len, places }
    })
}

fn add_words(set: &mut HashSet<String>, s: &str) {
    for w in s.split(|c: char| !c.is_ascii_alphabetic()) {
        if !w.is_empty() {
            set.insert(w.to_string());
        }
    }
}

/// Optimal-string-alignment distance, giving up early above `max`.
fn damerau(a: &str, b: &str, max: usize) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, x) in d.iter_mut().enumerate().take(b.len() + 1) {
        *x = j;
    }
    for i in 1..=a.len() {
        let mut row_min = usize::MAX;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1).min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return max + 1;
        }
    }
    d[a.len() * w + b.len()]
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
