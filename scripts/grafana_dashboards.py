#!/usr/bin/env python3
"""Writes halocline's Grafana dashboards (monitoring/grafana/dashboards/*.json) from one description, so
they stay consistent. With --rules FILE it instead writes every panel query as a Prometheus recording
rule, which `promtool check rules FILE` parses: .ci/run uses that to check the dashboards' PromQL.

Usage: scripts/grafana_dashboards.py            # rewrite the JSON files
       scripts/grafana_dashboards.py --rules /tmp/panels.yml
"""
import json
import os
import sys

DS = {"type": "prometheus", "uid": "halocline-prometheus"}
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "monitoring", "grafana", "dashboards")


def panel(kind, title, exprs, unit="short", w=12, h=8, legend=None, thresholds=None, decimals=None):
    targets = []
    for i, e in enumerate(exprs):
        expr, fmt = (e if isinstance(e, tuple) else (e, legend))
        t = {"datasource": DS, "expr": expr, "refId": chr(65 + i)}
        if fmt:
            t["legendFormat"] = fmt
        targets.append(t)
    defaults = {"unit": unit}
    if decimals is not None:
        defaults["decimals"] = decimals
    if thresholds:
        defaults["thresholds"] = {
            "mode": "absolute",
            "steps": [{"color": "green", "value": None}] + [{"color": c, "value": v} for v, c in thresholds],
        }
    return {
        "type": kind,
        "title": title,
        "datasource": DS,
        "targets": targets,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {},
        "_w": w,
        "_h": h,
    }


def layout(panels):
    x = y = row_h = 0
    out = []
    for i, p in enumerate(panels, start=1):
        w, h = p.pop("_w"), p.pop("_h")
        if x + w > 24:
            x, y, row_h = 0, y + row_h, 0
        p["id"] = i
        p["gridPos"] = {"x": x, "y": y, "w": w, "h": h}
        x += w
        row_h = max(row_h, h)
        out.append(p)
    return out


def dashboard(uid, title, panels, refresh="1m", time_from="now-24h", tags=()):
    return {
        "uid": uid,
        "title": title,
        "tags": ["halocline", *tags],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "refresh": refresh,
        "time": {"from": time_from, "to": "now"},
        "templating": {"list": []},
        "annotations": {"list": []},
        "panels": layout(panels),
    }


DASHBOARDS = {
    "ocean-overview": dashboard(
        "halocline-ocean-overview",
        "Ocean Overview",
        [
            panel("stat", "Average SST", ["ocean_avg_sst_celsius"], unit="celsius", w=6, h=5, decimals=2,
                  thresholds=[(28, "yellow"), (29, "red")]),
            panel("stat", "Average pH", ["ocean_avg_ph"], unit="none", w=6, h=5, decimals=3),
            panel("gauge", "Reef health score", ["ocean_avg_health_score"], unit="none", w=6, h=5, decimals=1,
                  thresholds=[(0, "red"), (70, "yellow"), (90, "green")]),
            panel("stat", "Records stored", ["ocean_records_total"], unit="short", w=6, h=5),
            panel("bargauge", "SST by day (last 7 days of data)", ["ocean_sst_last_day_celsius"], unit="celsius",
                  w=12, h=8, legend="{{day}}", decimals=2),
            panel("stat", "Anomalies in the last hour of data", ["ocean_anomalies_last_hour"], w=6, h=8,
                  thresholds=[(50, "yellow"), (100, "red")]),
            panel("stat", "Open built-in alerts", ["sum(halocline_alerts_firing) or vector(0)"], w=6, h=8,
                  thresholds=[(1, "red")]),
        ],
        tags=("ocean",),
    ),
    "ocean-trends": dashboard(
        "halocline-ocean-trends",
        "Ocean Trends",
        [
            panel("timeseries", "Average SST", ["ocean_avg_sst_celsius"], unit="celsius", w=12, legend="SST"),
            panel("timeseries", "Average pH", ["ocean_avg_ph"], unit="none", w=12, legend="pH"),
            panel("timeseries", "Reef health score", ["ocean_avg_health_score"], unit="none", w=12, legend="score"),
            panel("timeseries", "Records ingested per hour", ["increase(ocean_records_total[1h])"], w=12,
                  legend="records"),
            panel("timeseries", "SST by day", ["ocean_sst_last_day_celsius"], unit="celsius", w=12, legend="{{day}}"),
            panel("timeseries", "Anomalies in the last hour of data", ["ocean_anomalies_last_hour"], w=12,
                  legend="anomalies"),
        ],
        time_from="now-30d",
        refresh="5m",
        tags=("ocean",),
    ),
    "ocean-live": dashboard(
        "halocline-ocean-live",
        "Ocean Live",
        [
            panel("timeseries", "Ingest lag by source", ["ocean_ingest_lag_seconds"], unit="s", w=12,
                  legend="{{source}}"),
            panel("timeseries", "Fetches per source (5 min)", ["sum by (source) (increase(ai_pipeline_fetches_total[5m]))"],
                  w=12, legend="{{source}}"),
            panel("timeseries", "Fetch retries by reason (5 min)",
                  ["sum by (source, reason) (increase(ai_pipeline_fetch_retries_total[5m]))"], w=12,
                  legend="{{source}} {{reason}}"),
            panel("timeseries", "Fetch failures (1 h)", ["sum by (source) (increase(ai_pipeline_fetch_failures_total[1h]))"],
                  w=12, legend="{{source}}"),
            panel("stat", "Since last successful fetch", ["time() - ai_pipeline_last_success_timestamp_seconds"],
                  unit="s", w=12, legend="{{source}}", thresholds=[(3600, "yellow"), (10800, "red")]),
            panel("timeseries", "Open built-in alerts by rule", ["halocline_alerts_firing"], w=12, legend="{{rule}}"),
        ],
        time_from="now-6h",
        refresh="30s",
        tags=("ocean", "sources"),
    ),
    "api-performance": dashboard(
        "halocline-api-performance",
        "API performance",
        [
            panel("timeseries", "Requests per second by route",
                  ["sum by (route) (rate(halocline_http_requests_total[5m]))"], unit="reqps", w=12, legend="{{route}}"),
            panel("timeseries", "Error rate (5xx)",
                  ["sum(rate(halocline_http_requests_total{status=~\"5..\"}[5m])) / sum(rate(halocline_http_requests_total[5m]))"],
                  unit="percentunit", w=12, legend="5xx share"),
            panel("timeseries", "Latency p50 / p95 / p99",
                  [(f"histogram_quantile({q}, sum by (le) (rate(halocline_http_request_duration_seconds_bucket{{route!=\"/api/events\"}}[5m])))", f"p{int(q * 100)}")
                   for q in (0.5, 0.95, 0.99)], unit="s", w=12),
            panel("timeseries", "p95 latency by route",
                  ["histogram_quantile(0.95, sum by (le, route) (rate(halocline_http_request_duration_seconds_bucket[5m])))"],
                  unit="s", w=12, legend="{{route}}"),
            panel("timeseries", "Store size", ["halocline_store_size_bytes"], unit="bytes", w=12, legend="bytes"),
            panel("timeseries", "Rows by table", ["halocline_store_rows"], w=12, legend="{{table}}"),
            panel("stat", "Uptime", ["halocline_uptime_seconds"], unit="s", w=12),
            panel("stat", "Scrape target up", ["up{job=\"halocline\"}"], w=12, thresholds=[(0, "red"), (1, "green")]),
        ],
        time_from="now-3h",
        refresh="30s",
        tags=("api",),
    ),
}


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--rules":
        lines = ["groups:", "  - name: dashboard_queries", "    rules:"]
        n = 0
        for name, d in DASHBOARDS.items():
            for p in d["panels"]:
                for t in p["targets"]:
                    n += 1
                    lines.append(f"      - record: dashboard:{name.replace('-', '_')}:q{n}")
                    lines.append(f"        expr: {json.dumps(t['expr'])}")
        with open(sys.argv[2], "w") as f:
            f.write("\n".join(lines) + "\n")
        return
    os.makedirs(OUT, exist_ok=True)
    for name, d in DASHBOARDS.items():
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(d, f, indent=2, ensure_ascii=False)
            f.write("\n")


if __name__ == "__main__":
    main()
