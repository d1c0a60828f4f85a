//! Variables and their synonyms: "sea surface temperature" / "SST" → sst; "temperature", "water temp"
//! → temperature; "salty" → salinity; "DO" (in capitals), "dissolved oxygen" → oxygen; "chl" →
//! chlorophyll; "heat stress", "degree heating weeks" → dhw; "bleaching alert level / risk" → baa;
//! "SST anomaly" (the product, singular) → sst_anomaly. Spanish, French and Portuguese names too.

use crate::interpretation::{Interpretation, NlqVariable};
use crate::text::Text;

use NlqVariable::*;

pub(crate) const PHRASES: &[(&str, NlqVariable)] = &[
    ("sea surface temperature anomaly", SstAnomaly),
    ("sst anomaly", SstAnomaly),
    ("ssta", SstAnomaly),
    ("sea surface temperatures", Sst),
    ("sea surface temperature", Sst),
    ("sea surface temp", Sst),
    ("sea surface temps", Sst),
    ("surface sea temperature", Sst),
    ("sst", Sst),
    ("ssts", Sst),
    ("temperature de surface de la mer", Sst),
    ("temperature de la surface de la mer", Sst),
    ("temperatura de la superficie del mar", Sst),
    ("temperatura superficial del mar", Sst),
    ("temperatura da superficie do mar", Sst),
    ("temperatura superficial do mar", Sst),
    ("tsm", Sst),
    ("degree heating weeks", Dhw),
    ("degree heating week", Dhw),
    ("degree heating", Dhw),
    ("dhw", Dhw),
    ("heat stress", Dhw),
    ("thermal stress", Dhw),
    ("estres termico", Dhw),
    ("stress thermique", Dhw),
    ("estresse termico", Dhw),
    ("bleaching alert level", Baa),
    ("bleaching alert area", Baa),
    ("bleaching alert levels", Baa),
    ("bleaching alert", Baa),
    ("bleaching alerts", Baa),
    ("bleaching risk", Baa),
    ("bleaching level", Baa),
    ("alert level", Baa),
    ("alert levels", Baa),
    ("coral bleaching", Baa),
    ("bleaching", Baa),
    ("baa", Baa),
    ("alerta de blanqueamiento", Baa),
    ("blanqueamiento", Baa),
    ("blanchissement", Baa),
    ("branqueamento", Baa),
    ("water temperatures", Temperature),
    ("water temperature", Temperature),
    ("water temp", Temperature),
    ("ocean temperature", Temperature),
    ("ocean temperatures", Temperature),
    ("temperatures", Temperature),
    ("temperature", Temperature),
    ("temp", Temperature),
    ("temps", Temperature),
    ("temperatura", Temperature),
    ("temperatur", Temperature),
    ("wassertemperatur", Temperature),
    ("meerestemperatur", Temperature),
    ("oberflachentemperatur", Sst),
    ("temperatura superficiale del mare", Sst),
    ("salzgehalt", Salinity),
    ("salinita", Salinity),
    ("sauerstoff", Oxygen),
    ("ossigeno", Oxygen),
    ("ossigeno disciolto", Oxygen),
    ("chlorophyll a", Chlorophyll),
    ("clorofilla", Chlorophyll),
    ("hitzestress", Dhw),
    ("korallenbleiche", Baa),
    ("sbiancamento", Baa),
    ("temperaturas", Temperature),
    ("how warm", Temperature),
    ("how cold", Temperature),
    ("how hot", Temperature),
    ("salinity", Salinity),
    ("salinities", Salinity),
    ("salty", Salinity),
    ("saltiness", Salinity),
    ("saltier", Salinity),
    ("salt", Salinity),
    ("saline", Salinity),
    ("psal", Salinity),
    ("salinidad", Salinity),
    ("salinite", Salinity),
    ("salinidade", Salinity),
    ("dissolved oxygen", Oxygen),
    ("oxygen", Oxygen),
    ("o2", Oxygen),
    ("doxy", Oxygen),
    ("oxigeno", Oxygen),
    ("oxygene", Oxygen),
    ("oxigenio", Oxygen),
    ("oxygene dissous", Oxygen),
    ("hypoxia", Oxygen),
    ("hypoxic", Oxygen),
    ("deoxygenation", Oxygen),
    ("chlorophyll a", Chlorophyll),
    ("chlorophyll - a", Chlorophyll),
    ("chlorophyll", Chlorophyll),
    ("chl a", Chlorophyll),
    ("chl - a", Chlorophyll),
    ("chla", Chlorophyll),
    ("chl", Chlorophyll),
    ("phytoplankton", Chlorophyll),
    ("algae", Chlorophyll),
    ("algal bloom", Chlorophyll),
    ("algal blooms", Chlorophyll),
    ("ocean colour", Chlorophyll),
    ("ocean color", Chlorophyll),
    ("clorofila", Chlorophyll),
    ("chlorophylle", Chlorophyll),
    ("ocean acidification", Ph),
    ("acidification", Ph),
    ("acidity", Ph),
    ("ph", Ph),
];

pub const WORDS: &[&str] =
    &["sea surface temperature anomaly sst ssta temperatures temp temps degree heating weeks dhw heat stress thermal \
     bleaching alert level risk baa water ocean salinity salinities salty saltiness salt psal dissolved oxygen doxy \
     chlorophyll chla chl phytoplankton algae algal bloom colour color acidification acidity ph temperatura salinidad \
     salinite salinidade oxigeno oxygene oxigenio clorofila chlorophylle superficie mar hypoxia warming cooling \
     freshening heatwave heatwaves"];

/// Claims every variable phrase; returns the variables in the order they were mentioned.
pub fn parse(text: &mut Text) -> Vec<(usize, NlqVariable)> {
    let mut out = Vec::new();
    // "DO" in capitals is dissolved oxygen
    for i in 0..text.len() {
        if text.toks[i].upper && text.toks[i].s == "do" && !text.toks[i].used {
            text.claim(i, 1);
            out.push((i, Oxygen));
        }
    }
    let phrases: Vec<&str> = PHRASES.iter().map(|p| p.0).collect();
    while let Some((i, n)) = text.find_any(&phrases) {
        let words: Vec<&str> = (i..i + n).filter_map(|k| text.word(k)).collect();
        let joined = words.join(" ");
        let v = PHRASES.iter().find(|p| p.0 == joined).map(|p| p.1);
        text.claim(i, n);
        if let Some(v) = v {
            out.push((i, v));
        }
    }
    out
}

/// Orders and de-duplicates, and infers a variable from other words when none was named
/// ("colder than -1 °C" is about temperature, "marine heatwaves" about SST).
pub fn finish(mut found: Vec<(usize, NlqVariable)>, text: &Text, it: &Interpretation) -> Vec<NlqVariable> {
    found.sort_by_key(|f| f.0);
    let mut out: Vec<NlqVariable> = Vec::new();
    for (_, v) in found {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    if out.is_empty() {
        if text.mentions(&["heatwave", "heatwaves", "heat wave", "heat waves"]) {
            out.push(Sst);
        } else if text.mentions(&[
            "warmer",
            "colder",
            "hotter",
            "cooler",
            "warm",
            "cold",
            "hot",
            "warming",
            "cooling",
            "warmest",
            "coldest",
            "hottest",
            "coolest",
            "chaud",
            "froid",
            "caliente",
            "frio",
            "quente",
            "fria",
            "celsius",
            "fahrenheit",
        ]) {
            out.push(Temperature);
        } else if text.mentions(&["freshening", "freshest", "fresher", "saltier", "saltiest"]) {
            out.push(Salinity);
        }
    }
    let _ = it;
    out
}
