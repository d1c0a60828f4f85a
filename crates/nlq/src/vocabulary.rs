//! The parser's vocabulary: every word the concerns know (their phrase lists), common English words, and
//! the gazetteer's place names; a question's tokens are corrected against it before any concern reads
//! them (Damerau-Levenshtein distance 1 for words of 4 to 6 letters, 2 from 7 letters: "avrage" →
//! "average", "mexcio" → "mexico"). It sits above the concern modules and gathers their word lists, so
//! a new concern adds its lists to [`concern_phrases`].

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::text::Text;
use crate::{aggregation, clarify, depth, filters, gazetteer, platform, time, variables};

/// The text every concern reads: the question's tokens with typos corrected.
pub fn read(question: &str) -> Text {
    let mut text = Text::new(question);
    let v = vocabulary();
    for t in &mut text.toks {
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
    text
}

/// Every phrase of every concern, for the vocabulary (their words count, not their order).
fn concern_phrases() -> impl Iterator<Item = &'static str> {
    let lists = [
        variables::WORDS,
        aggregation::WORDS,
        time::WORDS,
        depth::WORDS,
        filters::WORDS,
        platform::WORDS,
        clarify::WORDS,
        depth::BELOW,
        depth::ABOVE,
        filters::GT,
        filters::GE,
        filters::LT,
        filters::LE,
        clarify::WRITE,
        clarify::FORECAST,
    ];
    let tables = aggregation::TABLE.iter().flat_map(|(list, _)| list.iter());
    lists.into_iter().flatten().chain(tables).copied().chain(variables::PHRASES.iter().map(|(p, _)| *p))
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
        for phrase in concern_phrases() {
            add_words(&mut words, phrase);
        }
        add_words(
            &mut words,
            "del da do de la le el les los las en em no na dans du des au aux mer mar agua eau dissous dissolvido \
             disuelto dissolvida que qual cual cuál quelle quel est es fue foi eso isso nos nas pour para por",
        );
        let before: HashSet<String> = words.clone();
        for name in gazetteer::all_names() {
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
