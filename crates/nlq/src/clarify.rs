//! When to ask back instead of answering: requests that are not queries (delete, modify), forecasts and
//! future-only dates, names that cannot be placed at sea (see the gazetteer), and questions too vague to
//! answer (no variable, platform or place: "show me the data").

use chrono::NaiveDate;

use crate::interpretation::{Agg, Clarification, Interpretation};
use crate::text::Text;

pub const WORDS: &[&str] =
    &["delete remove drop erase purge wipe truncate overwrite modify update insert edit alter forecast forecasts \
     predict prediction predictions projection projections outlook borrar eliminar supprimer effacer apagar \
     excluir pronostico prevision previsao"];

pub(crate) const WRITE: &[&str] = &[
    "delete",
    "erase",
    "purge",
    "wipe",
    "truncate",
    "overwrite",
    "modify",
    "borrar",
    "eliminar",
    "supprimer",
    "effacer",
    "apagar",
    "excluir",
    "supprime",
    "borra",
    "elimina",
];
/// Verbs that write only when they take data as their object ("drop the table", "update all records").
const WRITE_OBJ: &[&str] = &["remove", "drop", "update", "insert", "edit", "alter", "change", "set"];
const OBJECTS: &[&str] = &[
    "all", "the", "table", "tables", "records", "record", "data", "rows", "row", "every", "these", "those", "this",
    "buoy", "float", "values",
];
pub(crate) const FORECAST: &[&str] = &[
    "forecast",
    "forecasts",
    "forecasting",
    "predict",
    "predicted",
    "prediction",
    "predictions",
    "projection",
    "projections",
    "outlook",
    "will be",
    "going to be",
    "pronostico",
    "prevision",
    "previsions",
    "previsao",
    "prever",
    "prevoir",
];

fn examples() -> Vec<String> {
    vec![
        "average SST in the Coral Sea over the last 30 days".into(),
        "how many Argo floats reported in the Tasman Sea last month?".into(),
        "latest water temperature from buoys in the Gulf of Maine".into(),
    ]
}

/// Requests that must be refused before anything else is read.
pub fn refusal(text: &Text, _now: NaiveDate) -> Option<Clarification> {
    let verb = text.toks.iter().enumerate().find(|(i, t)| {
        WRITE.contains(&t.s.as_str())
            || (WRITE_OBJ.contains(&t.s.as_str())
                && (*i == 0 || text.word(i - 1) == Some("please"))
                && text.word(i + 1).is_some_and(|n| OBJECTS.contains(&n)))
    });
    if let Some((_, w)) = verb {
        return Some(Clarification {
            message: format!(
                "Ocean Chat only reads data; it cannot {} records. Ask a question about the data instead.",
                w.s
            ),
            choices: examples(),
        });
    }
    if text.mentions(FORECAST) {
        return Some(future("a forecast"));
    }
    None
}

/// A forecast or future-only dates.
pub fn future(what: &str) -> Clarification {
    Clarification {
        message: format!(
            "I can only answer from stored observations, not forecasts ({what} is in the future). Would you like recent data instead?"
        ),
        choices: vec![
            "the same question over the last 30 days".into(),
            "the same question for the same period last year".into(),
        ],
    }
}

/// Too vague to answer: nothing says what to measure or where to look.
pub fn vague(text: &Text, it: &Interpretation) -> Option<Clarification> {
    let nothing_measured = it.variables.is_empty() && it.platform.is_none();
    let nothing_constrained = it.region.is_none() && it.time.is_none() && it.depth.is_none() && it.platform.is_none();
    if nothing_measured || (nothing_constrained && it.agg == Agg::List && it.value_filter.is_none()) {
        let _ = text;
        return Some(Clarification {
            message: if nothing_measured {
                "Which variable or platform do you mean, and where? For example:".into()
            } else {
                "Where and when? Name a sea, a place or coordinates, and a time. For example:".into()
            },
            choices: examples(),
        });
    }
    None
}
