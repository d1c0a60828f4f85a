//! The variable vocabulary: our names, Argo parameter names, CF standard names and units.

/// Where a variable is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableKind {
    /// A profile parameter (a column of an Argo profile).
    Profile,
    /// A time series variable (buoy, station, reef site).
    Series,
}

/// One entry of the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variable {
    /// Our name, used in APIs and series keys (`temperature`, `sea_surface_temperature`, ...).
    pub name: &'static str,
    pub kind: VariableKind,
    /// Argo parameter name for profile variables (`TEMP`), NDBC column for buoy variables (`WTMP`).
    pub source_name: &'static str,
    /// CF standard name, empty when CF has none.
    pub cf_standard_name: &'static str,
    /// UDUNITS units.
    pub units: &'static str,
    pub long_name: &'static str,
}

macro_rules! var {
    ($name:literal, $kind:ident, $src:literal, $cf:literal, $units:literal, $long:literal) => {
        Variable {
            name: $name,
            kind: VariableKind::$kind,
            source_name: $src,
            cf_standard_name: $cf,
            units: $units,
            long_name: $long,
        }
    };
}

/// Every variable halocline knows by name. Argo parameters not listed here (rare BGC sensors) are still
/// stored under their Argo names.
pub const VARIABLES: &[Variable] = &[
    // Argo core and BGC profile parameters (Argo reference table 3); Argovis names.
    var!("pressure", Profile, "PRES", "sea_water_pressure", "decibar", "Sea water pressure, equals 0 at sea-level"),
    var!(
        "temperature",
        Profile,
        "TEMP",
        "sea_water_temperature",
        "degree_Celsius",
        "Sea temperature in-situ ITS-90 scale"
    ),
    var!("salinity", Profile, "PSAL", "sea_water_salinity", "psu", "Practical salinity"),
    var!("doxy", Profile, "DOXY", "moles_of_oxygen_per_unit_mass_in_sea_water", "micromole/kg", "Dissolved oxygen"),
    var!("chla", Profile, "CHLA", "mass_concentration_of_chlorophyll_a_in_sea_water", "mg/m3", "Chlorophyll-A"),
    var!("nitrate", Profile, "NITRATE", "moles_of_nitrate_per_unit_mass_in_sea_water", "micromole/kg", "Nitrate"),
    var!(
        "ph_in_situ_total",
        Profile,
        "PH_IN_SITU_TOTAL",
        "sea_water_ph_reported_on_total_scale",
        "dimensionless",
        "pH"
    ),
    var!("bbp700", Profile, "BBP700", "", "m-1", "Particle backscattering at 700 nanometers"),
    var!("bbp532", Profile, "BBP532", "", "m-1", "Particle backscattering at 532 nanometers"),
    var!("cdom", Profile, "CDOM", "", "ppb", "Concentration of coloured dissolved organic matter in sea water"),
    var!("cndc", Profile, "CNDC", "sea_water_electrical_conductivity", "mhos/m", "Electrical conductivity"),
    var!(
        "downwelling_par",
        Profile,
        "DOWNWELLING_PAR",
        "downwelling_photosynthetic_photon_flux_in_sea_water",
        "microMoleQuanta/m^2/sec",
        "Downwelling photosynthetic available radiation"
    ),
    var!(
        "down_irradiance380",
        Profile,
        "DOWN_IRRADIANCE380",
        "",
        "W/m^2/nm",
        "Downwelling irradiance at 380 nanometers"
    ),
    var!(
        "down_irradiance412",
        Profile,
        "DOWN_IRRADIANCE412",
        "",
        "W/m^2/nm",
        "Downwelling irradiance at 412 nanometers"
    ),
    var!(
        "down_irradiance490",
        Profile,
        "DOWN_IRRADIANCE490",
        "",
        "W/m^2/nm",
        "Downwelling irradiance at 490 nanometers"
    ),
    var!("turbidity", Profile, "TURBIDITY", "sea_water_turbidity", "ntu", "Sea water turbidity"),
    // NDBC standard meteorological (stdmet) columns.
    var!(
        "wind_direction",
        Series,
        "WDIR",
        "wind_from_direction",
        "degrees_true",
        "Wind direction (the direction the wind is coming from)"
    ),
    var!("wind_speed", Series, "WSPD", "wind_speed", "m s-1", "Wind speed averaged over 8 minutes"),
    var!("wind_gust", Series, "GST", "wind_speed_of_gust", "m s-1", "Peak 5 or 8 second gust speed"),
    var!("wave_height", Series, "WVHT", "sea_surface_wave_significant_height", "m", "Significant wave height"),
    var!(
        "dominant_wave_period",
        Series,
        "DPD",
        "sea_surface_wave_period_at_variance_spectral_density_maximum",
        "s",
        "Dominant wave period"
    ),
    var!("average_wave_period", Series, "APD", "sea_surface_wave_mean_period", "s", "Average wave period"),
    var!(
        "mean_wave_direction",
        Series,
        "MWD",
        "sea_surface_wave_from_direction",
        "degrees_true",
        "Direction of waves at the dominant period"
    ),
    var!("air_pressure", Series, "PRES", "air_pressure_at_mean_sea_level", "hPa", "Sea level pressure"),
    var!("air_temperature", Series, "ATMP", "air_temperature", "degree_Celsius", "Air temperature"),
    var!(
        "sea_surface_temperature",
        Series,
        "WTMP",
        "sea_surface_temperature",
        "degree_Celsius",
        "Sea surface temperature"
    ),
    var!("dewpoint_temperature", Series, "DEWP", "dew_point_temperature", "degree_Celsius", "Dewpoint temperature"),
    var!("visibility", Series, "VIS", "visibility_in_air", "nmi", "Station visibility"),
    var!("pressure_tendency", Series, "PTDY", "tendency_of_air_pressure", "hPa", "Pressure tendency over 3 hours"),
    var!(
        "tide",
        Series,
        "TIDE",
        "water_surface_height_above_reference_datum",
        "ft",
        "Water level above mean lower low water"
    ),
    // NDBC oceanographic (.ocean) columns.
    var!("ocean_temperature", Series, "OTMP", "sea_water_temperature", "degree_Celsius", "Ocean temperature at depth"),
    var!("conductivity", Series, "COND", "sea_water_electrical_conductivity", "mS/cm", "Conductivity"),
    var!("sea_water_salinity", Series, "SAL", "sea_water_practical_salinity", "psu", "Salinity"),
    var!(
        "oxygen_saturation",
        Series,
        "O2%",
        "fractional_saturation_of_oxygen_in_sea_water",
        "percent",
        "Dissolved oxygen saturation"
    ),
    var!(
        "oxygen_concentration",
        Series,
        "O2PPM",
        "mass_concentration_of_oxygen_in_sea_water",
        "ppm",
        "Dissolved oxygen concentration"
    ),
    var!(
        "chlorophyll_concentration",
        Series,
        "CLCON",
        "mass_concentration_of_chlorophyll_in_sea_water",
        "ug/l",
        "Chlorophyll concentration"
    ),
    var!("sea_water_turbidity", Series, "TURB", "sea_water_turbidity", "FTU", "Turbidity"),
    var!("ph", Series, "PH", "sea_water_ph_reported_on_total_scale", "1", "Acidity"),
    var!("redox_potential", Series, "EH", "", "mV", "Redox potential"),
    // NDBC spectral wave summary (.spec) columns.
    var!("swell_height", Series, "SwH", "sea_surface_swell_wave_significant_height", "m", "Swell height"),
    var!("swell_period", Series, "SwP", "sea_surface_swell_wave_period", "s", "Swell period"),
    var!("wind_wave_height", Series, "WWH", "sea_surface_wind_wave_significant_height", "m", "Wind wave height"),
    var!("wind_wave_period", Series, "WWP", "sea_surface_wind_wave_period", "s", "Wind wave period"),
    var!("swell_direction", Series, "SwD", "sea_surface_swell_wave_from_direction", "degrees_true", "Swell direction"),
    var!(
        "wind_wave_direction",
        Series,
        "WWD",
        "sea_surface_wind_wave_from_direction",
        "degrees_true",
        "Wind wave direction"
    ),
    var!("wave_steepness", Series, "STEEPNESS", "", "1", "Wave steepness class"),
    // Daily series without a source column (e.g. shore-station temperature files).
    var!("water_temperature", Series, "Temp", "sea_water_temperature", "degree_Celsius", "Daily water temperature"),
];

impl Variable {
    /// By our name (`temperature`), else the Argo name (`TEMP`), else the NDBC column (`WTMP`).
    pub fn lookup(name: &str) -> Option<&'static Variable> {
        VARIABLES
            .iter()
            .find(|v| v.name == name)
            .or_else(|| VARIABLES.iter().find(|v| v.kind == VariableKind::Profile && v.source_name == name))
            .or_else(|| VARIABLES.iter().find(|v| v.kind == VariableKind::Series && v.source_name == name))
    }

    /// The profile variable with this Argo parameter name.
    pub fn for_argo(param: &str) -> Option<&'static Variable> {
        VARIABLES.iter().find(|v| v.kind == VariableKind::Profile && v.source_name == param)
    }

    /// The series variable for an NDBC column of a given file kind.
    pub fn for_ndbc(column: &str) -> Option<&'static Variable> {
        VARIABLES.iter().find(|v| v.kind == VariableKind::Series && v.source_name == column)
    }
}
