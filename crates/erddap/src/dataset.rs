//! What a dataset is to ERDDAP: global attributes and variables, each with an ERDDAP data type and
//! attributes (the content of `/info/{id}/index.json`).

/// ERDDAP's data type names (`PrimitiveArray.elementTypeString`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    Byte,
    Short,
    Int,
    Long,
    Float,
    Double,
    Char,
    String,
}

impl DataType {
    pub fn name(self) -> &'static str {
        match self {
            DataType::Byte => "byte",
            DataType::Short => "short",
            DataType::Int => "int",
            DataType::Long => "long",
            DataType::Float => "float",
            DataType::Double => "double",
            DataType::Char => "char",
            DataType::String => "String",
        }
    }

    pub fn parse(s: &str) -> Option<DataType> {
        Some(match s {
            "byte" | "ubyte" => DataType::Byte,
            "short" | "ushort" => DataType::Short,
            "int" | "uint" => DataType::Int,
            "long" | "ulong" => DataType::Long,
            "float" => DataType::Float,
            "double" => DataType::Double,
            "char" => DataType::Char,
            "String" => DataType::String,
            _ => return None,
        })
    }

    pub fn is_text(self) -> bool {
        matches!(self, DataType::Char | DataType::String)
    }

    pub fn is_integer(self) -> bool {
        matches!(self, DataType::Byte | DataType::Short | DataType::Int | DataType::Long)
    }
}

/// An attribute value: text, or numbers of one type.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    Text(String),
    Numbers(DataType, Vec<f64>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    pub name: String,
    pub value: AttrValue,
}

impl Attr {
    pub fn text(name: &str, value: &str) -> Attr {
        Attr { name: name.to_string(), value: AttrValue::Text(value.to_string()) }
    }

    pub fn nums(name: &str, ty: DataType, values: &[f64]) -> Attr {
        Attr { name: name.to_string(), value: AttrValue::Numbers(ty, values.to_vec()) }
    }
}

/// A variable of a dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Var {
    pub name: String,
    pub ty: DataType,
    pub attrs: Vec<Attr>,
}

/// Seconds since the epoch: the units that make a variable a time variable to ERDDAP.
pub const TIME_UNITS: &str = "seconds since 1970-01-01T00:00:00Z";

impl Var {
    pub fn attr(&self, name: &str) -> Option<&AttrValue> {
        self.attrs.iter().find(|a| a.name == name).map(|a| &a.value)
    }

    pub fn text_attr(&self, name: &str) -> Option<&str> {
        match self.attr(name) {
            Some(AttrValue::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// Units as stored (`seconds since ...` for time).
    pub fn units(&self) -> Option<&str> {
        self.text_attr("units").filter(|u| !u.is_empty())
    }

    pub fn is_time(&self) -> bool {
        self.units().is_some_and(|u| u == TIME_UNITS)
    }

    /// Units as data responses state them: `UTC` for time.
    pub fn output_units(&self) -> Option<&str> {
        if self.is_time() { Some("UTC") } else { self.units() }
    }
}

/// A tabledap dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub id: String,
    pub globals: Vec<Attr>,
    pub vars: Vec<Var>,
}

impl Dataset {
    pub fn var_index(&self, name: &str) -> Option<usize> {
        self.vars.iter().position(|v| v.name == name)
    }

    pub fn global(&self, name: &str) -> Option<&str> {
        self.globals.iter().find(|a| a.name == name).and_then(|a| match &a.value {
            AttrValue::Text(t) => Some(t.as_str()),
            AttrValue::Numbers(..) => None,
        })
    }

    pub fn title(&self) -> &str {
        self.global("title").unwrap_or(&self.id)
    }

    pub fn summary(&self) -> &str {
        self.global("summary").unwrap_or("")
    }

    pub fn institution(&self) -> &str {
        self.global("institution").unwrap_or("")
    }

    pub fn cdm_data_type(&self) -> &str {
        self.global("cdm_data_type").unwrap_or("Other")
    }
}

/// How a `cdm_data_type` is laid out as a CF discrete sampling geometry (`.ncCF`): the outer feature's
/// dimension name and whether profiles nest inside it (TimeSeriesProfile, TrajectoryProfile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CfFeature {
    /// `timeseries`, `trajectory` or `profile`: the outer dimension, the `cdm_{outer}_variables`
    /// attribute and the `{outer}_id` cf_role.
    pub outer: &'static str,
    /// Two levels: outer feature → profile → obs (CF H.5.3 / H.6.3).
    pub nested_profiles: bool,
}

impl Dataset {
    /// The CF DSG layout of this dataset, `None` for Point, Other and unknown types (not offered as `.ncCF`).
    pub fn cf_feature(&self) -> Option<CfFeature> {
        let (outer, nested_profiles) = match self.cdm_data_type() {
            "TimeSeries" => ("timeseries", false),
            "Trajectory" => ("trajectory", false),
            "Profile" => ("profile", false),
            "TimeSeriesProfile" => ("timeseries", true),
            "TrajectoryProfile" => ("trajectory", true),
            _ => return None,
        };
        Some(CfFeature { outer, nested_profiles })
    }

    /// A comma-separated global attribute as a list (`cdm_profile_variables`, ...).
    pub fn csv_global(&self, name: &str) -> Vec<String> {
        self.global(name).unwrap_or("").split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
    }

    /// The variable whose `cf_role` is `role` (`trajectory_id`, `profile_id`, ...).
    pub fn cf_role(&self, role: &str) -> Option<usize> {
        self.vars.iter().position(|v| v.text_attr("cf_role") == Some(role))
    }

    /// The vertical coordinate: `altitude`, `depth`, or the `cdm_altitude_proxy` (Argo's `pres`).
    pub fn vertical(&self) -> Option<usize> {
        self.var_index("altitude")
            .or_else(|| self.var_index("depth"))
            .or_else(|| self.global("cdm_altitude_proxy").and_then(|p| self.var_index(p.trim())))
    }

    /// The variables every `.ncCF` answer carries even when not asked for (ERDDAP's
    /// `requiredCfRequestVariables`): the feature ids, longitude, latitude, time and the vertical one.
    pub fn cf_required(&self) -> Vec<usize> {
        let Some(f) = self.cf_feature() else { return Vec::new() };
        let mut out: Vec<usize> = Vec::new();
        out.extend(self.cf_role(&format!("{}_id", f.outer)));
        if f.nested_profiles {
            out.extend(self.cf_role("profile_id"));
        }
        for name in ["longitude", "latitude", "time"] {
            out.extend(self.var_index(name));
        }
        out.extend(self.vertical());
        let mut seen = Vec::new();
        out.retain(|i| {
            let new = !seen.contains(i);
            seen.push(*i);
            new
        });
        out
    }

    /// The outer (feature and profile) variables of a CF layout: a `.ncCF` request needs at least one
    /// variable that is not among them.
    pub fn cf_outer_vars(&self) -> Vec<String> {
        let Some(f) = self.cf_feature() else { return Vec::new() };
        let mut v = self.csv_global(&format!("cdm_{}_variables", f.outer));
        if f.nested_profiles {
            v.extend(self.csv_global("cdm_profile_variables"));
        }
        v
    }
}
