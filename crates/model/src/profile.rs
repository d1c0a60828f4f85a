//! Vertical profiles, column-major: each parameter is a column of values over the profile's levels.

use chrono::{DateTime, Utc};

use crate::{Point, QcFlag};

/// Argo data mode of a parameter or profile: real-time, adjusted in real time, or delayed-mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataMode {
    RealTime,
    Adjusted,
    Delayed,
}

impl DataMode {
    /// `'R'`, `'A'` or `'D'`; anything else is `None`.
    pub fn from_char(c: u8) -> Option<DataMode> {
        match c.to_ascii_uppercase() {
            b'R' => Some(DataMode::RealTime),
            b'A' => Some(DataMode::Adjusted),
            b'D' => Some(DataMode::Delayed),
            _ => None,
        }
    }

    pub fn to_char(self) -> char {
        match self {
            DataMode::RealTime => 'R',
            DataMode::Adjusted => 'A',
            DataMode::Delayed => 'D',
        }
    }
}

/// Profile direction: ascending (the usual Argo profile) or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Ascending,
    Descending,
}

impl Direction {
    pub fn from_char(c: u8) -> Option<Direction> {
        match c.to_ascii_uppercase() {
            b'A' => Some(Direction::Ascending),
            b'D' => Some(Direction::Descending),
            _ => None,
        }
    }

    pub fn to_char(self) -> char {
        match self {
            Direction::Ascending => 'A',
            Direction::Descending => 'D',
        }
    }
}

/// The form a profile arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    /// A GDAC NetCDF file (single-profile, multi-profile, core or BGC synthetic).
    ArgoNetcdf,
    /// An ERDDAP tabledap `.nc` response (one row per level).
    ErddapNc,
    /// An Argovis JSON document.
    ArgovisJson,
}

impl SourceFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::ArgoNetcdf => "argo_netcdf",
            SourceFormat::ErddapNc => "erddap_nc",
            SourceFormat::ArgovisJson => "argovis_json",
        }
    }

    pub fn parse(s: &str) -> Option<SourceFormat> {
        Some(match s {
            "argo_netcdf" => SourceFormat::ArgoNetcdf,
            "erddap_nc" => SourceFormat::ErddapNc,
            "argovis_json" => SourceFormat::ArgovisJson,
            _ => return None,
        })
    }
}

/// The natural key of a profile: `(platform, cycle, direction)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProfileKey {
    pub platform: String,
    pub cycle: i32,
    pub direction: DirectionKey,
}

/// [`Direction`] as an orderable key component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DirectionKey {
    A,
    D,
}

impl ProfileKey {
    /// The Argovis-style id: `4900590_097`, with a `D` suffix for descending profiles.
    pub fn id(&self) -> String {
        let d = if self.direction == DirectionKey::D { "D" } else { "" };
        format!("{}_{:03}{}", self.platform, self.cycle, d)
    }

    /// Parses `platform_cycle[D]`.
    pub fn parse(id: &str) -> Option<ProfileKey> {
        let (platform, rest) = id.rsplit_once('_')?;
        let (cycle, direction) = match rest.strip_suffix('D') {
            Some(c) => (c, DirectionKey::D),
            None => (rest, DirectionKey::A),
        };
        if platform.is_empty() || cycle.is_empty() || !cycle.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(ProfileKey { platform: platform.to_string(), cycle: cycle.parse().ok()?, direction })
    }
}

/// One parameter of a profile over all its levels. Missing values are `NaN`; a blank QC is
/// [`QcFlag::BLANK`]. Every vector has the profile's level count.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamColumn {
    /// Argo parameter name: `PRES`, `TEMP`, `PSAL`, `DOXY`, `CHLA`, `NITRATE`, `BBP700`, ...
    pub name: String,
    pub data_mode: DataMode,
    pub values: Vec<f32>,
    pub qc: Vec<QcFlag>,
    /// `<PARAM>_ADJUSTED`, when the source has it.
    pub adjusted: Option<Vec<f32>>,
    pub adjusted_qc: Option<Vec<QcFlag>>,
    pub adjusted_error: Option<Vec<f32>>,
}

impl ParamColumn {
    /// A column with raw values only, all flags blank.
    pub fn raw(name: impl Into<String>, data_mode: DataMode, values: Vec<f32>) -> ParamColumn {
        let n = values.len();
        ParamColumn {
            name: name.into(),
            data_mode,
            values,
            qc: vec![QcFlag::BLANK; n],
            adjusted: None,
            adjusted_qc: None,
            adjusted_error: None,
        }
    }

    /// The value a user should see at level `i`: adjusted in modes A and D, raw in mode R.
    pub fn best(&self, i: usize) -> f32 {
        match (self.data_mode, &self.adjusted) {
            (DataMode::Adjusted | DataMode::Delayed, Some(adj)) => adj[i],
            _ => self.values[i],
        }
    }

    /// The QC flag that goes with [`ParamColumn::best`].
    pub fn best_qc(&self, i: usize) -> QcFlag {
        match (self.data_mode, &self.adjusted_qc) {
            (DataMode::Adjusted | DataMode::Delayed, Some(q)) => q[i],
            _ => self.qc[i],
        }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// An Argo vertical profile with its levels stored column by column.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub platform: String,
    pub cycle: i32,
    pub direction: Direction,
    /// JULD as UTC; `None` when the file holds the fill value.
    pub time: Option<DateTime<Utc>>,
    pub time_qc: QcFlag,
    pub position: Option<Point>,
    pub position_qc: QcFlag,
    /// Overall profile data mode (`DATA_MODE`).
    pub data_mode: DataMode,
    /// Two-letter data centre code (`AO`, `IF`, `ME`, ...), empty when unknown.
    pub data_centre: String,
    pub project_name: String,
    pub pi_name: String,
    pub platform_type: String,
    pub wmo_inst_type: String,
    pub positioning_system: String,
    pub vertical_sampling_scheme: String,
    pub config_mission_number: Option<i32>,
    pub source_format: SourceFormat,
    /// The file (name, or path relative to what was ingested) the profile came from.
    pub source_file: String,
    /// Columns, `PRES` first when present.
    pub params: Vec<ParamColumn>,
}

impl Profile {
    pub fn key(&self) -> ProfileKey {
        ProfileKey {
            platform: self.platform.clone(),
            cycle: self.cycle,
            direction: match self.direction {
                Direction::Ascending => DirectionKey::A,
                Direction::Descending => DirectionKey::D,
            },
        }
    }

    /// Number of levels (length of every column).
    pub fn n_levels(&self) -> usize {
        self.params.first().map_or(0, |c| c.len())
    }

    pub fn param(&self, name: &str) -> Option<&ParamColumn> {
        self.params.iter().find(|c| c.name == name)
    }

    /// A profile with no levels and empty metadata, to be filled in by a reader.
    pub fn empty(platform: impl Into<String>, cycle: i32, direction: Direction) -> Profile {
        Profile {
            platform: platform.into(),
            cycle,
            direction,
            time: None,
            time_qc: QcFlag::BLANK,
            position: None,
            position_qc: QcFlag::BLANK,
            data_mode: DataMode::RealTime,
            data_centre: String::new(),
            project_name: String::new(),
            pi_name: String::new(),
            platform_type: String::new(),
            wmo_inst_type: String::new(),
            positioning_system: String::new(),
            vertical_sampling_scheme: String::new(),
            config_mission_number: None,
            source_format: SourceFormat::ArgoNetcdf,
            source_file: String::new(),
            params: Vec::new(),
        }
    }
}
