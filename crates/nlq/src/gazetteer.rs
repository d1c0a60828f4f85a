//! Named regions: oceans, seas, gulfs, bays and straits from Natural Earth's 1:50m marine polygons
//! (`marine_regions.txt`, derived by `scripts/marine_regions.py`), ocean basins assembled from them (the
//! North Pacific is the Pacific's parts and marginal seas north of the equator), and the curated places
//! of [`crate::places`]. Names are matched longest first on unclaimed tokens; "near / off / around"
//! a place widens its buffer by 50 km. Names that several inland places share are asked back.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::geometry::Area;
use crate::interpretation::Clarification;
use crate::places::{BOXES, PLACES, SHAPES, UNPLACEABLE};
use crate::text::{Text, fold};

const MARINE: &str = include_str!("marine_regions.txt");

/// Ocean basins as Natural Earth parts plus marginal seas, and an optional half (north or south of 0°).
const PACIFIC: &[&str] = &[
    "NORTH PACIFIC OCEAN",
    "SOUTH PACIFIC OCEAN",
    "Philippine Sea",
    "Coral Sea",
    "Tasman Sea",
    "South China Sea",
    "Sea of Japan",
    "Gulf of Alaska",
    "Sea of Okhotsk",
    "Bering Sea",
    "Celebes Sea",
    "Sulu Sea",
    "East China Sea",
    "Yellow Sea",
    "Solomon Sea",
    "Bismarck Sea",
    "Golfo de California",
    "Golfo de Panamá",
    "Bay of Plenty",
    "Molucca Sea",
    "Banda Sea",
    "Ceram Sea",
];
const ATLANTIC: &[&str] = &[
    "NORTH ATLANTIC OCEAN",
    "SOUTH ATLANTIC OCEAN",
    "Caribbean Sea",
    "Gulf of Mexico",
    "Sargasso Sea",
    "Labrador Sea",
    "Gulf of Guinea",
    "Bay of Biscay",
    "Gulf of Maine",
    "Bahía de Campeche",
    "Straits of Florida",
    "Gulf of Honduras",
    "Río de la Plata",
    "Golfo San Jorge",
    "Bay of Fundy",
    "Gulf of St. Lawrence",
];
const INDIAN: &[&str] = &[
    "INDIAN OCEAN",
    "Arabian Sea",
    "Bay of Bengal",
    "Laccadive Sea",
    "Andaman Sea",
    "Mozambique Channel",
    "Gulf of Aden",
    "Gulf of Oman",
    "Great Australian Bight",
    "Timor Sea",
    "Gulf of Mannar",
];
const SOUTHERN: &[&str] =
    &["SOUTHERN OCEAN", "Ross Sea", "Weddell Sea", "Bellingshausen Sea", "Amundsen Sea", "Scotia Sea", "Drake Passage"];
const ARCTIC: &[&str] = &[
    "ARCTIC OCEAN",
    "Beaufort Sea",
    "Chukchi Sea",
    "Barents Sea",
    "Kara Sea",
    "Laptev Sea",
    "White Sea",
    "Greenland Sea",
    "The North Western Passages",
    "Viscount Melville Sound",
];

/// Extra names of Natural Earth features (other languages, short forms).
const ALIASES: &[(&str, &str)] = &[
    ("caribbean", "Caribbean Sea"),
    ("nordsee", "North Sea"),
    ("ostsee", "Baltic Sea"),
    ("mittelmeer", "Mediterranean Sea"),
    ("mar mediterraneo", "Mediterranean Sea"),
    ("mare mediterraneo", "Mediterranean Sea"),
    ("mar adriatico", "Adriatic Sea"),
    ("mare adriatico", "Adriatic Sea"),
    ("mar tirreno", "Tyrrhenian Sea"),
    ("mare tirreno", "Tyrrhenian Sea"),
    ("mar ionio", "Ionian Sea"),
    ("schwarzes meer", "Black Sea"),
    ("rotes meer", "Red Sea"),
    ("golf von mexiko", "Gulf of Mexico"),
    ("golf von biskaya", "Bay of Biscay"),
    ("caribe", "Caribbean Sea"),
    ("mar caribe", "Caribbean Sea"),
    ("mer des caraibes", "Caribbean Sea"),
    ("caraibes", "Caribbean Sea"),
    ("mediterranean", "Mediterranean Sea"),
    ("the med", "Mediterranean Sea"),
    ("mediterraneo", "Mediterranean Sea"),
    ("mar mediterraneo", "Mediterranean Sea"),
    ("mer mediterranee", "Mediterranean Sea"),
    ("mediterranee", "Mediterranean Sea"),
    ("gulf of california", "Golfo de California"),
    ("sea of cortez", "Golfo de California"),
    ("mar de cortes", "Golfo de California"),
    ("golfe de gascogne", "Bay of Biscay"),
    ("golfo de vizcaya", "Bay of Biscay"),
    ("golfo da biscaia", "Bay of Biscay"),
    ("biscay", "Bay of Biscay"),
    ("la manche", "English Channel"),
    ("canal de la mancha", "English Channel"),
    ("japan sea", "Sea of Japan"),
    ("east sea", "Sea of Japan"),
    ("mar de japon", "Sea of Japan"),
    ("mer du japon", "Sea of Japan"),
    ("arabian gulf", "Persian Gulf"),
    ("golfo persico", "Persian Gulf"),
    ("golfe persique", "Persian Gulf"),
    ("mer du nord", "North Sea"),
    ("mar del norte", "North Sea"),
    ("mar do norte", "North Sea"),
    ("baltic", "Baltic Sea"),
    ("mer baltique", "Baltic Sea"),
    ("mar baltico", "Baltic Sea"),
    ("golfo de mexico", "Gulf of Mexico"),
    ("golfe du mexique", "Gulf of Mexico"),
    ("golfo do mexico", "Gulf of Mexico"),
    ("mer noire", "Black Sea"),
    ("mar negro", "Black Sea"),
    ("mar rojo", "Red Sea"),
    ("mer rouge", "Red Sea"),
    ("mar vermelho", "Red Sea"),
    ("mar del coral", "Coral Sea"),
    ("mer de corail", "Coral Sea"),
    ("mar de coral", "Coral Sea"),
    ("sargasso", "Sargasso Sea"),
    ("mar de los sargazos", "Sargasso Sea"),
    ("mer des sargasses", "Sargasso Sea"),
    ("bohai", "Bo Hai"),
    ("bohai sea", "Bo Hai"),
    ("bo hai sea", "Bo Hai"),
    ("river plate", "Río de la Plata"),
    ("bay of campeche", "Bahía de Campeche"),
    ("campeche bay", "Bahía de Campeche"),
    ("gulf of panama", "Golfo de Panamá"),
    ("gulf of san jorge", "Golfo San Jorge"),
    ("gulf of lion", "Golfe du Lion"),
    ("gulf of lions", "Golfe du Lion"),
    ("gulf of saint lawrence", "Gulf of St. Lawrence"),
    ("golfe du saint laurent", "Gulf of St. Lawrence"),
    ("mar arabigo", "Arabian Sea"),
    ("mer d arabie", "Arabian Sea"),
    ("golfe du bengale", "Bay of Bengal"),
    ("golfo de bengala", "Bay of Bengal"),
    ("adriatic", "Adriatic Sea"),
    ("mar adriatico", "Adriatic Sea"),
    ("aegean", "Aegean Sea"),
    ("ionian", "Ionian Sea"),
    ("tyrrhenian", "Tyrrhenian Sea"),
    ("tasman", "Tasman Sea"),
    ("mar de tasmania", "Tasman Sea"),
    ("weddell", "Weddell Sea"),
    ("mar de weddell", "Weddell Sea"),
    ("mar de ross", "Ross Sea"),
    ("mer de ross", "Ross Sea"),
    ("barents", "Barents Sea"),
    ("okhotsk", "Sea of Okhotsk"),
    ("ochotsk", "Sea of Okhotsk"),
    ("mar de ojotsk", "Sea of Okhotsk"),
    ("mar de china meridional", "South China Sea"),
    ("mer de chine meridionale", "South China Sea"),
    ("mar do sul da china", "South China Sea"),
    ("mar amarillo", "Yellow Sea"),
    ("mer jaune", "Yellow Sea"),
    ("mar de bering", "Bering Sea"),
    ("mer de bering", "Bering Sea"),
    ("golfo de alaska", "Gulf of Alaska"),
    ("golfe d alaska", "Gulf of Alaska"),
    ("mar de noruega", "Norwegian Sea"),
    ("mer de norvege", "Norwegian Sea"),
    ("mar de groenlandia", "Greenland Sea"),
    ("mer du groenland", "Greenland Sea"),
    ("mar de irlanda", "Irish Sea"),
    ("mer d irlande", "Irish Sea"),
    ("golfo de guinea", "Gulf of Guinea"),
    ("golfe de guinee", "Gulf of Guinea"),
    ("golfo da guine", "Gulf of Guinea"),
    ("canal de mozambique", "Mozambique Channel"),
    ("canal du mozambique", "Mozambique Channel"),
    ("golfo de tailandia", "Gulf of Thailand"),
    ("golfe de thailande", "Gulf of Thailand"),
    ("gulf of siam", "Gulf of Thailand"),
    ("strait of malacca", "Strait of Malacca"),
    ("malacca strait", "Strait of Malacca"),
    ("persian gulf", "Persian Gulf"),
    ("hudson bay", "Hudson Bay"),
    ("drake passage", "Drake Passage"),
    ("pasaje de drake", "Drake Passage"),
    ("mar de hoces", "Drake Passage"),
    ("passage de drake", "Drake Passage"),
    ("gulf of maine", "Gulf of Maine"),
    ("golfe du maine", "Gulf of Maine"),
    ("chesapeake", "Chesapeake Bay"),
    ("labrador sea", "Labrador Sea"),
    ("mer du labrador", "Labrador Sea"),
    ("mar de labrador", "Labrador Sea"),
    ("scotia sea", "Scotia Sea"),
    ("mar de escocia", "Scotia Sea"),
    ("beaufort", "Beaufort Sea"),
    ("chukchi", "Chukchi Sea"),
];

/// (names, members, half): half `Some(true)` keeps the part north of the equator.
/// (names, Natural Earth members, half, label).
type Ocean = (&'static [&'static str], &'static [&'static str], Option<bool>, &'static str);

const OCEANS: &[Ocean] = &[
    (
        &["pacific", "pazifik", "pacific ocean", "pacifico", "oceano pacifico", "pacifique", "ocean pacifique"],
        PACIFIC,
        None,
        "Pacific Ocean",
    ),
    (
        &[
            "north pacific",
            "nordpazifik",
            "northern pacific",
            "north pacific ocean",
            "pacifico norte",
            "pacifique nord",
            "pacifico norte",
            "pacifico del norte",
        ],
        PACIFIC,
        Some(true),
        "North Pacific",
    ),
    (
        &[
            "south pacific",
            "sudpazifik",
            "southern pacific",
            "south pacific ocean",
            "pacifico sur",
            "pacifique sud",
            "pacifico sul",
            "pacifico del sur",
        ],
        PACIFIC,
        Some(false),
        "South Pacific",
    ),
    (
        &["atlantic", "atlantik", "atlantic ocean", "atlantico", "oceano atlantico", "atlantique", "ocean atlantique"],
        ATLANTIC,
        None,
        "Atlantic Ocean",
    ),
    (
        &[
            "north atlantic",
            "nordatlantik",
            "northern atlantic",
            "north atlantic ocean",
            "atlantico norte",
            "atlantique nord",
            "atlantico del norte",
        ],
        ATLANTIC,
        Some(true),
        "North Atlantic",
    ),
    (
        &[
            "south atlantic",
            "sudatlantik",
            "southern atlantic",
            "south atlantic ocean",
            "atlantico sur",
            "atlantico sul",
            "atlantique sud",
            "atlantico del sur",
        ],
        ATLANTIC,
        Some(false),
        "South Atlantic",
    ),
    (
        &[
            "indian ocean",
            "indischer ozean",
            "oceano indiano",
            "oceano indico",
            "ocean indien",
            "indico",
            "oceano indio",
        ],
        INDIAN,
        None,
        "Indian Ocean",
    ),
    (
        &[
            "southern ocean",
            "sudpolarmeer",
            "antarctic ocean",
            "oceano austral",
            "ocean austral",
            "oceano antartico",
            "ocean antarctique",
        ],
        SOUTHERN,
        None,
        "Southern Ocean",
    ),
    (
        &["arctic", "arktis", "nordpolarmeer", "arctic ocean", "oceano artico", "ocean arctique", "artico", "arctique"],
        ARCTIC,
        None,
        "Arctic Ocean",
    ),
];

struct Feature {
    name: String,
    rings: Vec<Vec<(f64, f64)>>,
}

#[derive(Clone, Copy)]
enum Target {
    /// Natural Earth features with this (display) name.
    Marine(usize),
    Ocean(usize),
    Place(usize),
    Box(usize),
    Shape(usize),
    Unplaceable(usize),
}

struct Entry {
    words: Vec<String>,
    target: Target,
}

struct Gazetteer {
    features: Vec<Feature>,
    /// Display name → indices of features (Natural Earth splits some seas into several features).
    by_name: HashMap<String, Vec<usize>>,
    names: Vec<String>,
    entries: Vec<Entry>,
    by_first: HashMap<String, Vec<usize>>,
}

/// Lower-case ASCII words of a name (accents folded, punctuation dropped).
pub fn words_of(name: &str) -> Vec<String> {
    let mut s = String::new();
    for c in name.chars() {
        match fold(c) {
            Some(f) => s.push_str(f),
            None => s.extend(c.to_lowercase()),
        }
    }
    // "3.4" stays one token, as the tokeniser reads numbers; "St." loses its dot
    s.split(|c: char| !c.is_ascii_alphanumeric() && c != '.')
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(build)
}

fn build() -> Gazetteer {
    let mut features = Vec::new();
    for line in MARINE.lines() {
        let mut parts = line.splitn(3, '|');
        let (Some(name), Some(_cla), Some(geom)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let rings: Vec<Vec<(f64, f64)>> = geom
            .split(';')
            .map(|r| {
                r.split(' ')
                    .filter_map(|p| {
                        let (x, y) = p.split_once(',')?;
                        Some((x.parse().ok()?, y.parse().ok()?))
                    })
                    .collect::<Vec<(f64, f64)>>()
            })
            .filter(|r| r.len() >= 4)
            .collect();
        features.push(Feature { name: name.to_string(), rings });
    }
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, f) in features.iter().enumerate() {
        by_name.entry(f.name.clone()).or_default().push(i);
    }
    let mut names: Vec<String> = by_name.keys().cloned().collect();
    names.sort();
    // Curated entries first: for a name both know, the curated shape wins (Natural Earth's Drake
    // Passage and Gulf of Alaska are slivers along the coast).
    let mut entries = Vec::new();
    for (k, p) in PLACES.iter().enumerate() {
        for n in p.names {
            entries.push(Entry { words: words_of(n), target: Target::Place(k) });
        }
    }
    for (k, b) in BOXES.iter().enumerate() {
        for n in b.names {
            entries.push(Entry { words: words_of(n), target: Target::Box(k) });
        }
    }
    for (k, s) in SHAPES.iter().enumerate() {
        for n in s.names {
            entries.push(Entry { words: words_of(n), target: Target::Shape(k) });
        }
    }
    for (k, u) in UNPLACEABLE.iter().enumerate() {
        for n in u.names {
            entries.push(Entry { words: words_of(n), target: Target::Unplaceable(k) });
        }
    }
    let skip = [
        "Inner Seas",
        "Inner Sea",
        "NORTH PACIFIC OCEAN",
        "SOUTH PACIFIC OCEAN",
        "NORTH ATLANTIC OCEAN",
        "SOUTH ATLANTIC OCEAN",
        "INDIAN OCEAN",
        "SOUTHERN OCEAN",
        "ARCTIC OCEAN",
    ];
    for (k, n) in names.iter().enumerate() {
        if skip.contains(&n.as_str()) {
            continue;
        }
        entries.push(Entry { words: words_of(n), target: Target::Marine(k) });
    }
    for (alias, n) in ALIASES {
        if let Ok(k) = names.binary_search(&n.to_string()) {
            entries.push(Entry { words: words_of(alias), target: Target::Marine(k) });
        }
    }
    for (k, (ns, _, _, _)) in OCEANS.iter().enumerate() {
        for n in ns.iter() {
            entries.push(Entry { words: words_of(n), target: Target::Ocean(k) });
        }
    }
    let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(f) = e.words.first() {
            by_first.entry(f.clone()).or_default().push(i);
        }
    }
    for list in by_first.values_mut() {
        list.sort_by_key(|&i| std::cmp::Reverse(entries[i].words.len()));
    }
    Gazetteer { features, by_name, names, entries, by_first }
}

/// Every name the gazetteer matches (for the typo vocabulary).
pub fn all_names() -> Vec<String> {
    gazetteer().entries.iter().map(|e| e.words.join(" ")).collect()
}

/// What the named part of a question resolves to.
pub enum Resolved {
    None,
    Areas(Area),
    Problem(Clarification),
}

fn marine_area(g: &Gazetteer, name: &str) -> Option<Area> {
    let idx = g.by_name.get(name)?;
    let polys: Vec<Vec<(f64, f64)>> = idx.iter().flat_map(|&i| g.features[i].rings.clone()).collect();
    Some(Area::from_parts(polys, name.to_string()))
}

fn ocean_area(g: &Gazetteer, k: usize) -> Area {
    let (_, members, half, label) = OCEANS[k];
    let mut polys = Vec::new();
    for m in members {
        if let Some(a) = marine_area(g, m) {
            polys.extend(a.polygons);
        }
    }
    let all = Area::from_parts(polys, label.to_string());
    match half {
        None => all,
        Some(north) => all.clip_lat(0.0, north, label.to_string()),
    }
}

/// The place names a position: `(lat, lon, radius_km, label, tokens matched)`, for "within N km of X".
pub fn point_at(text: &Text, i: usize) -> Option<(f64, f64, f64, String, usize)> {
    let g = gazetteer();
    let (e, n) = match_at(g, text, i)?;
    match g.entries[e].target {
        Target::Place(k) => {
            let p = &PLACES[k];
            Some((p.lat, p.lon, p.radius_km, title(p.names[0]), n))
        }
        Target::Box(k) => {
            let b = &BOXES[k];
            let a = Area::bbox(b.bbox.0, b.bbox.1, b.bbox.2, b.bbox.3, String::new());
            let (w, s, ea, no) = a.bounds();
            let lon = if w > ea { model::normalize_lon((w + ea + 360.0) / 2.0) } else { (w + ea) / 2.0 };
            Some(((s + no) / 2.0, lon, 0.0, b.label.to_string(), n))
        }
        _ => None,
    }
}

fn match_at(g: &Gazetteer, text: &Text, i: usize) -> Option<(usize, usize)> {
    let first = text.free(i)?;
    let list = g.by_first.get(first)?;
    for &e in list {
        let w = &g.entries[e].words;
        if w.iter().enumerate().all(|(k, x)| text.free(i + k) == Some(x.as_str())) {
            return Some((e, w.len()));
        }
    }
    None
}

fn title(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const NEAR: &[&str] = &[
    "near",
    "off",
    "around",
    "nearby",
    "close",
    "offshore",
    "cerca",
    "pres",
    "perto",
    "proche",
    "large",
    "alrededor",
    "autour",
    "ao",
    "redor",
];

/// Finds and claims every named region; several names make a union (for "compare A and B").
pub fn resolve(text: &mut Text) -> Resolved {
    let g = gazetteer();
    let mut found: Vec<Area> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let Some((e, n)) = match_at(g, text, i) else {
            i += 1;
            continue;
        };
        let near = (1..=4).any(|k| i >= k && text.word(i - k).is_some_and(|w| NEAR.contains(&w)));
        text.claim(i, n);
        let area = match g.entries[e].target {
            Target::Marine(k) => marine_area(g, &g.names[k]),
            Target::Ocean(k) => Some(ocean_area(g, k)),
            Target::Place(k) => {
                let p = &PLACES[k];
                let r = if near { p.radius_km + 50.0 } else { p.radius_km };
                let label = if near { format!("within {r:.0} km of {}", title(p.names[0])) } else { title(p.names[0]) };
                Some(Area::circle(p.lat, p.lon, r, label))
            }
            Target::Box(k) => {
                let b = &BOXES[k];
                Some(Area::bbox(b.bbox.0, b.bbox.1, b.bbox.2, b.bbox.3, b.label.to_string()))
            }
            Target::Shape(k) => Some(Area::from_ring(SHAPES[k].ring, SHAPES[k].label.to_string())),
            Target::Unplaceable(k) => {
                let u = &UNPLACEABLE[k];
                let name = title(&g.entries[e].words.join(" "));
                return Resolved::Problem(Clarification {
                    message: format!("I cannot place \"{name}\" at sea: {}. Which waters do you mean?", u.why),
                    choices: u.choices.iter().map(|c| c.to_string()).collect(),
                });
            }
        };
        if let Some(a) = area
            && !found.iter().any(|f| f.label == a.label)
        {
            found.push(a);
        }
        i += n;
    }
    if found.is_empty() {
        // "near Xyz" with a capitalised word we do not know: ask rather than search everywhere.
        for k in 0..text.len() {
            if text.word(k).is_some_and(|w| NEAR.contains(&w))
                && let Some(t) = text.toks.get(k + 1)
                && !t.used
                && t.cap
                && t.num.is_none()
                && !matches!(t.s.as_str(), "the" | "coast" | "shore")
            {
                let name = text.original.split_whitespace().find(|w| words_of(w).first() == Some(&t.s)).unwrap_or(&t.s);
                return Resolved::Problem(Clarification {
                    message: format!("I do not know a place called \"{name}\" at sea. Which waters do you mean?"),
                    choices: vec![
                        "name a sea, gulf or bay (e.g. the Gulf of Maine)".into(),
                        "give coordinates (e.g. within 100 km of 35N, 120W)".into(),
                    ],
                });
            }
        }
        return Resolved::None;
    }
    let mut it = found.into_iter();
    let first = it.next().expect("non-empty");
    Resolved::Areas(it.fold(first, Area::union))
}
