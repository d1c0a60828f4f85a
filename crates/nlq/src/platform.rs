//! Platforms: floats / Argo → argo; buoys, moorings, NDBC stations → buoy; reef sites or reefs as
//! stations ("at Tonga's reefs") → reef. Reef names such as "Ningaloo Reef" were claimed by the
//! gazetteer first, so they do not count as a platform.

use crate::interpretation::NlqPlatform;
use crate::text::Text;

pub const WORDS: &[&str] =
    &["argo float floats profiling profilers buoy buoys mooring moorings ndbc station stations reef reefs site sites \
     boya boyas bouee bouees boia boias flotador flotadores flotteur flotteurs arrecife arrecifes recif recifs \
     recife recifes"];

pub fn parse(text: &mut Text) -> Option<NlqPlatform> {
    let table: &[(&[&str], NlqPlatform)] = &[
        (
            &[
                "reef sites",
                "reef site",
                "reef stations",
                "reef station",
                "coral reefs",
                "reefs",
                "reef",
                "arrecifes",
                "arrecife",
                "recifs",
                "recif",
                "recifes",
                "recife",
                "virtual stations",
            ],
            NlqPlatform::Reef,
        ),
        (
            &[
                "argo floats",
                "argo float",
                "argo",
                "profiling floats",
                "profiling float",
                "floats",
                "float",
                "profilers",
                "bgc argo",
                "flotadores",
                "flotador",
                "flotteurs",
                "flotteur",
                "flutuadores",
                "boias argo",
            ],
            NlqPlatform::Argo,
        ),
        (
            &[
                "buoys",
                "buoy",
                "moorings",
                "mooring",
                "drifters",
                "drifter",
                "drifting buoys",
                "ndbc",
                "boyas",
                "boya",
                "bouees",
                "bouee",
                "boias",
                "boia",
                "weather stations",
                "stations",
                "station",
            ],
            NlqPlatform::Buoy,
        ),
    ];
    let mut best: Option<(usize, NlqPlatform)> = None;
    for (words, p) in table {
        if let Some((i, n)) = text.find_any(words) {
            text.claim(i, n);
            if best.is_none_or(|b| i < b.0) {
                best = Some((i, *p));
            }
        }
    }
    best.map(|b| b.1)
}
