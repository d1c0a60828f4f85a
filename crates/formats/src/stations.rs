//! NDBC `activestations.xml`: the station catalogue.
//!
//! One empty `<station id lat lon elev name owner pgm type met currents waterquality dart/>` element per
//! station inside `<stations created=".." count="..">`. Each becomes a [`Platform`]: the id upper-cased (the
//! file writes C-MAN ids in lower case, `tplm2`), the kind from `type` (`buoy` → buoy, `fixed` and `oilrig` →
//! fixed station, `dart` → DART, anything else such as `tao`, `usv` or `other` → other), the name, the
//! position, and every other attribute (`owner`, `pgm`, `type`, `elev`, `met`, `currents`, `waterquality`,
//! `dart`, `seq`, ...) in file order. A station whose lat/lon is missing or out of range is skipped with a
//! diagnostic. Source: <https://www.ndbc.noaa.gov/activestations.xml>.

use model::{Platform, PlatformKind, Point};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::{Dataset, Diagnostic, FormatError, Parsed, text};

/// Reads the station list.
pub fn read(bytes: &[u8]) -> Result<Parsed, FormatError> {
    let text = text(bytes)?;
    let mut reader = Reader::from_str(text);
    let mut platforms = Vec::new();
    let mut diagnostics = Vec::new();
    let mut declared: Option<usize> = None;
    let mut seen_root = false;
    let mut index = 0usize;
    loop {
        let event =
            reader.read_event().map_err(|e| FormatError::Xml(format!("at byte {}: {e}", reader.error_position())))?;
        match event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"stations" => {
                seen_root = true;
                declared = attribute(&e, "count").and_then(|c| c.parse().ok());
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"station" => {
                index += 1;
                match station(&e) {
                    Ok(p) => platforms.push(p),
                    Err(message) => diagnostics.push(Diagnostic::new(format!("station {index}"), message)),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err(FormatError::Xml("no <stations> element: not an NDBC station list".into()));
    }
    if index == 0 {
        return Err(FormatError::NoRecords("the station list has no <station> elements".into()));
    }
    if let Some(count) = declared.filter(|&c| c != index) {
        diagnostics.push(Diagnostic::new("stations", format!("count says {count} stations, the file has {index}")));
    }
    Ok(Parsed { dataset: Dataset::Platforms(platforms), diagnostics })
}

/// The unescaped value of one attribute; a malformed attribute list reads as absent.
fn attribute(e: &BytesStart<'_>, key: &str) -> Option<String> {
    let a = e.try_get_attribute(key).ok().flatten()?;
    a.unescape_value().ok().map(|v| v.into_owned())
}

/// One `<station>`, or why it was skipped.
fn station(e: &BytesStart<'_>) -> Result<Platform, String> {
    let mut id = None;
    let (mut lat, mut lon) = (None, None);
    let mut name = None;
    let mut attributes = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| format!("bad attribute: {err}"))?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a.unescape_value().map_err(|err| format!("bad {key} value: {err}"))?.into_owned();
        match key.as_str() {
            "id" => id = Some(value.trim().to_ascii_uppercase()),
            "lat" => lat = Some(value),
            "lon" => lon = Some(value),
            "name" => name = Some(value),
            _ => attributes.push((key, value)),
        }
    }
    let id = id.filter(|id| !id.is_empty()).ok_or("no id")?;
    let number = |v: Option<&String>| v.and_then(|s| s.trim().parse::<f64>().ok());
    let (Some(y), Some(x)) = (number(lat.as_ref()), number(lon.as_ref())) else {
        return Err(format!(
            "id {id}: bad lat/lon {:?}/{:?}; station skipped",
            lat.unwrap_or_default(),
            lon.unwrap_or_default()
        ));
    };
    let position = Point::new(x, y).map_err(|err| format!("id {id}: {err}; station skipped"))?;
    let kind = match attributes.iter().find(|(k, _)| k == "type").map(|(_, v)| v.as_str()) {
        Some("buoy") => PlatformKind::Buoy,
        Some("fixed" | "oilrig") => PlatformKind::FixedStation,
        Some("dart") => PlatformKind::Dart,
        _ => PlatformKind::Other,
    };
    Ok(Platform { id, kind, name, position: Some(position), attributes })
}

#[cfg(test)]
mod tests;
