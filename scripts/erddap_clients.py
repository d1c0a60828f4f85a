"""erddapy 3.3.1 and argopy 1.5.0 against a running halocline (`ERDDAP_URL`, ends in /erddap), unchanged.

Run by scripts/erddap_clients.sh, which starts the server over the bundled sample. Expected values come
from the recorded IFREMER ERDDAP answer data/sample/argo/erddap_ArgoFloats_6902746_cyc34.nc (HALOCLINE_FIXTURE).
"""
import os

import netCDF4
import numpy as np
import pandas as pd
import pytest
import requests
from erddapy import ERDDAP

S = os.environ["ERDDAP_URL"]
FIXTURE = os.environ["HALOCLINE_FIXTURE"]


def fixture():
    nc = netCDF4.Dataset(FIXTURE)
    nc.set_auto_mask(False)
    out = {k: np.asarray(nc.variables[k][:], dtype=float) for k in ("pres", "temp", "psal")}
    nc.close()
    return out


def test_to_pandas_csvp():
    e = ERDDAP(server=S, protocol="tabledap")
    e.dataset_id = "ArgoFloats"
    e.variables = ["platform_number", "cycle_number", "time", "pres", "temp"]
    e.constraints = {"time>=": "2017-12-01T00:00:00Z", "time<=": "2018-01-01", "platform_number=": "6902746"}
    df = e.to_pandas(index_col="time (UTC)", parse_dates=True)
    assert list(df.columns) == ["platform_number", "cycle_number", "pres (decibar)", "temp (degree_Celsius)"]
    f = fixture()
    assert len(df) == len(f["pres"]) == 109
    np.testing.assert_allclose(df["pres (decibar)"].to_numpy(), f["pres"], rtol=1e-6)
    np.testing.assert_allclose(df["temp (degree_Celsius)"].to_numpy(), f["temp"], rtol=1e-6)
    assert str(df.index[0]) == "2017-12-20 06:58:00+00:00"


def test_to_xarray_nccf_buoy():
    e = ERDDAP(server=S, protocol="tabledap")
    e.dataset_id = "ndbcStdMet"
    e.variables = ["station", "time", "wtmp", "wspd"]
    e.constraints = {"time>=": "2012-06-01T00:00:00Z", "time<": "2012-06-02T00:00:00Z"}
    ds = e.to_xarray()
    assert ds.attrs["featureType"] == "TimeSeries"
    assert int(ds["rowSize"].sum()) == ds.sizes["obs"] > 0
    assert ds["wtmp"].attrs["standard_name"] == "sea_surface_temperature"
    assert float(ds["wtmp"].values[0]) == pytest.approx(13.4)


def test_to_xarray_nccf_argo_trajectory_profile():
    # ArgoFloats is cdm_data_type TrajectoryProfile: ERDDAP's ragged layout (trajectory, profile, obs).
    e = ERDDAP(server=S, protocol="tabledap")
    e.dataset_id = "ArgoFloats"
    e.variables = ["pres", "temp"]
    e.constraints = {"platform_number=": "6902746", "time>=": "2017-12-01T00:00:00Z", "time<=": "2018-01-01"}
    ds = e.to_xarray()
    assert ds.attrs["featureType"] == "TrajectoryProfile"
    assert (ds.sizes["trajectory"], ds.sizes["profile"], ds.sizes["obs"]) == (1, 1, 109)
    assert ds["trajectoryIndex"].attrs["instance_dimension"] == "trajectory"
    assert ds["rowSize"].attrs["sample_dimension"] == "obs"
    assert ds["rowSize"].values.tolist() == [109]
    assert ds["cycle_number"].values.tolist() == [34]
    f = fixture()
    np.testing.assert_allclose(ds["pres"].values, f["pres"], rtol=1e-6)
    np.testing.assert_allclose(ds["temp"].values, f["temp"], rtol=1e-6)


def test_get_var_by_attr():
    e = ERDDAP(server=S, protocol="tabledap")
    assert sorted(e.get_var_by_attr(dataset_id="ArgoFloats", standard_name="sea_water_temperature")) == [
        "temp",
        "temp_adjusted",
    ]
    assert e.get_var_by_attr(dataset_id="ndbcStdMet", standard_name="sea_surface_temperature") == ["wtmp"]


def test_search_url_pandas():
    e = ERDDAP(server=S, protocol="tabledap")
    df = pd.read_csv(e.get_search_url(search_for="argo", response="csv"))
    assert {"ArgoFloats", "ArgoFloats-synthetic-BGC", "ArgoFloats-index"} <= set(df["Dataset ID"])
    assert "ndbcStdMet" not in set(df["Dataset ID"])


def test_no_rows_is_404():
    e = ERDDAP(server=S, protocol="tabledap")
    e.dataset_id = "ArgoFloats"
    e.variables = ["time", "pres"]
    e.constraints = {"time>=": "2999-01-01"}
    with pytest.raises(requests.HTTPError, match=r"code=404"):
        e.to_pandas()


def test_griddap_initialize_and_to_pandas():
    # Setting dataset_id with protocol="griddap" reads /erddap/griddap/crwLikeDaily.ncml (griddap_initialize);
    # the constraints then default to the newest time step over the whole grid.
    g = ERDDAP(server=S, protocol="griddap", response="csvp")
    g.dataset_id = "crwLikeDaily"
    g.griddap_initialize()
    assert {"CRW_SST", "CRW_DHW", "CRW_HOTSPOT", "CRW_BAA_7D_MAX"} <= set(g.variables)
    g.variables = ["CRW_DHW"]
    df = g.to_pandas()
    assert len(df) == 10 * 12
    assert list(df.columns) == ["time (UTC)", "latitude (degrees_north)", "longitude (degrees_east)", "CRW_DHW (degree_C_weeks)"]
    assert set(df["time (UTC)"]) == {"2023-09-28T12:00:00Z"}
    # The synthetic grid: 84 days of HotSpot 0.3 * row from day 20 on, so DHW = 12 * 0.3 * row; row 9 is 32.4.
    assert abs(df["CRW_DHW (degree_C_weeks)"].max() - 32.4) < 1e-3
    # A subset by value, as erddapy builds it from constraints.
    g.constraints["latitude>="] = 24.77
    g.constraints["latitude<="] = 24.78
    df = g.to_pandas()
    assert len(df) == 12 and abs(df["CRW_DHW (degree_C_weeks)"].iloc[5] - 14.4) < 1e-3
    ds = g.to_xarray()
    assert ds["CRW_DHW"].shape == (1, 1, 12)
    assert abs(float(ds["CRW_DHW"].values[0, 0, 5]) - 14.4) < 1e-3


def argopy_fetcher():
    import argopy

    argopy.set_options(erddap=S, src="erddap", mode="expert", api_timeout=60)
    return argopy.DataFetcher()


def check_profile(ds, f, pmax=None):
    keep = f["pres"] <= pmax if pmax is not None else np.ones_like(f["pres"], dtype=bool)
    assert ds.sizes["N_POINTS"] == int(keep.sum())
    assert set(ds["PLATFORM_NUMBER"].values.tolist()) == {6902746}
    assert set(ds["CYCLE_NUMBER"].values.tolist()) == {34}
    np.testing.assert_allclose(ds["PRES"].values, f["pres"][keep], rtol=1e-6)
    np.testing.assert_allclose(ds["TEMP"].values, f["temp"][keep], rtol=1e-6)
    np.testing.assert_allclose(ds["PSAL"].values, f["psal"][keep], rtol=1e-6)


def test_argopy_float():
    # The sample holds two profiles of this float: cycle 1 (Argovis JSON) and cycle 34 (the fixture).
    ds = argopy_fetcher().float(6902746).to_xarray()
    assert sorted(set(ds["CYCLE_NUMBER"].values.tolist())) == [1, 34]
    assert (np.diff(ds["TIME"].values.astype("int64")) >= 0).all()
    check_profile(ds.where(ds["CYCLE_NUMBER"] == 34, drop=True), fixture())


def test_argopy_profile():
    ds = argopy_fetcher().profile(6902746, 34).to_xarray()
    check_profile(ds, fixture())


def test_argopy_region():
    ds = argopy_fetcher().region([-60, -55, 18, 20, 0, 100, "2017-12-01", "2018-01-01"]).to_xarray()
    check_profile(ds, fixture(), pmax=100)
