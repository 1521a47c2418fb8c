//! The reports of a load run as strings: the console summary, JSON, and a
//! self-contained HTML page (inline SVG: latency over time and a latency
//! histogram; no script, no external asset). Never prints, never holds the
//! token (the report has none).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::metrics::Summary;
use super::{FindingKind, LoadReport, SHOWN_PER_KIND};

/// The console summary.
pub fn console(r: &LoadReport) -> String {
    let mut o = String::new();
    let p = &r.params;
    let _ = writeln!(o, "scimulator load {}  (run id {})", r.scenario, p.run_id);
    let _ = writeln!(o, "  target: {}", r.target);
    let rate = if p.rate > 0.0 {
        format!("{} req/s", p.rate)
    } else {
        "unpaced".to_owned()
    };
    let _ = writeln!(
        o,
        "  users {}  groups {}  members {}  rate {rate}  concurrency {}",
        p.users, p.groups, p.members, p.concurrency
    );
    if r.sent {
        let s = &r.summary;
        let _ = writeln!(
            o,
            "\n  {} requests in {:.1} s: {:.1} req/s; {} errors, {} × 429, {} × 5xx",
            s.requests, s.elapsed_s, s.achieved_rate, s.errors, s.throttled, s.server_errors
        );
        let _ = writeln!(
            o,
            "\n  {:<24} {:>7} {:>7} {:>6} {:>9} {:>9} {:>9} {:>9}",
            "kind", "count", "errors", "429", "p50 ms", "p90 ms", "p99 ms", "max ms"
        );
        for k in &s.kinds {
            let l = &k.latency;
            let _ = writeln!(
                o,
                "  {:<24} {:>7} {:>7} {:>6} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
                k.kind, k.count, k.errors, k.throttled, l.p50_ms, l.p90_ms, l.p99_ms, l.max_ms
            );
        }
        let l = &s.latency;
        let _ = writeln!(
            o,
            "  {:<24} {:>7} {:>7} {:>6} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            "all", s.requests, s.errors, s.throttled, l.p50_ms, l.p90_ms, l.p99_ms, l.max_ms
        );
        let _ = writeln!(
            o,
            "  schedule lag p99 {:.2} ms (how late requests left compared with the open-model schedule)",
            s.schedule_lag.p99_ms
        );
    }
    let v = &r.verification;
    let _ = writeln!(
        o,
        "\n  verification: {} users, {} groups, {} memberships checked",
        v.users_checked, v.groups_checked, v.memberships_checked
    );
    if v.passed() {
        let _ = writeln!(
            o,
            "  PASS: every user exists once, every membership change landed once, no 5xx"
        );
        return o;
    }
    let mut by_kind: BTreeMap<FindingKind, Vec<_>> = BTreeMap::new();
    for f in &v.findings {
        by_kind.entry(f.kind).or_default().push(f);
    }
    let _ = writeln!(o, "  FAIL: {} finding(s)", v.findings.len());
    for (kind, list) in by_kind {
        let _ = writeln!(o, "  {} ({}):", kind.label(), list.len());
        for f in list.iter().take(SHOWN_PER_KIND) {
            let _ = writeln!(o, "    - {}: {}", f.subject, f.detail);
        }
        if list.len() > SHOWN_PER_KIND {
            let _ = writeln!(o, "    … and {} more", list.len() - SHOWN_PER_KIND);
        }
    }
    o
}

/// The JSON report.
pub fn json(r: &LoadReport) -> String {
    serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Latency over time: p50 and p99 per second, as an inline SVG.
fn timeline_svg(s: &Summary) -> String {
    let (w, h, pad) = (720.0_f64, 220.0_f64, 40.0_f64);
    let n = s.timeline.len().max(2) as f64;
    let top = s.timeline.iter().map(|t| t.p99_ms).fold(1.0_f64, f64::max);
    let x = |i: usize| pad + (w - 2.0 * pad) * (i as f64) / (n - 1.0);
    let y = |v: f64| h - pad - (h - 2.0 * pad) * v / top;
    let line = |f: &dyn Fn(usize) -> f64| {
        s.timeline
            .iter()
            .enumerate()
            .map(|(i, _)| format!("{:.1},{:.1}", x(i), y(f(i))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let p50 = line(&|i| s.timeline[i].p50_ms);
    let p99 = line(&|i| s.timeline[i].p99_ms);
    format!(
        r##"<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="latency over time">
<line x1="{pad}" y1="{b}" x2="{r}" y2="{b}" stroke="#888"/><line x1="{pad}" y1="{pad}" x2="{pad}" y2="{b}" stroke="#888"/>
<text x="{pad}" y="{t}" font-size="11">{top:.1} ms</text><text x="{r}" y="{bl}" font-size="11" text-anchor="end">{secs} s</text>
<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="{p50}"/><polyline fill="none" stroke="#d62728" stroke-width="1.5" points="{p99}"/>
<text x="{r}" y="{t}" font-size="11" text-anchor="end"><tspan fill="#1f77b4">p50</tspan> <tspan fill="#d62728">p99</tspan></text></svg>"##,
        b = h - pad,
        r = w - pad,
        t = pad - 8.0,
        bl = h - pad + 16.0,
        secs = s.timeline.len(),
    )
}

/// The latency histogram as bars, as an inline SVG.
fn histogram_svg(s: &Summary) -> String {
    let (w, h, pad) = (720.0_f64, 220.0_f64, 40.0_f64);
    let n = s.histogram.len().max(1) as f64;
    let top = s
        .histogram
        .iter()
        .map(|b| b.count)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let bw = (w - 2.0 * pad) / n;
    let mut bars = String::new();
    for (i, b) in s.histogram.iter().enumerate() {
        let bh = (h - 2.0 * pad) * (b.count as f64) / top;
        let _ = write!(
            bars,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#1f77b4"><title>≤ {} ms: {}</title></rect><text x="{:.1}" y="{:.1}" font-size="9" text-anchor="middle">{}</text>"##,
            pad + bw * i as f64 + 1.0,
            h - pad - bh,
            (bw - 2.0).max(1.0),
            bh,
            b.upto_ms,
            b.count,
            pad + bw * (i as f64 + 0.5),
            h - pad + 12.0,
            b.upto_ms
        );
    }
    format!(
        r#"<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="latency histogram">{bars}</svg>"#
    )
}

/// The self-contained HTML page.
pub fn html(r: &LoadReport) -> String {
    let s = &r.summary;
    let verdict = if r.passed() { "PASS" } else { "FAIL" };
    let mut rows = String::new();
    for k in &s.kinds {
        let l = &k.latency;
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{:.1}</td><td>{}</td><td>{}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td></tr>",
            esc(&k.kind),
            k.count,
            k.rate,
            k.errors,
            k.throttled,
            l.p50_ms,
            l.p90_ms,
            l.p99_ms,
            l.max_ms
        );
    }
    let mut findings = String::new();
    for f in r.verification.findings.iter().take(SHOWN_PER_KIND * 7) {
        let _ = write!(
            findings,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            f.kind.label(),
            esc(&f.subject),
            esc(&f.detail)
        );
    }
    let charts = if r.sent {
        format!(
            "<h2>Latency over time</h2>{}<h2>Latency histogram (ms)</h2>{}",
            timeline_svg(s),
            histogram_svg(s)
        )
    } else {
        "<p>Verification only: nothing was sent.</p>".to_owned()
    };
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>scimulator load {scenario}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:60em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}td:first-child,th:first-child{{text-align:left}}.PASS{{color:#2a2}}.FAIL{{color:#c22}}</style></head><body>
<h1>scimulator load {scenario} <span class="{verdict}">{verdict}</span></h1>
<p>Target {target} · run id {run} · {requests} requests in {elapsed:.1} s ({rate:.1} req/s) · {errors} errors · {throttled} × 429 · {server} × 5xx</p>
<table><tr><th>kind</th><th>count</th><th>req/s</th><th>errors</th><th>429</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th></tr>{rows}</table>
{charts}
<h2>Verification</h2><p>{users} users, {groups} groups, {members} memberships checked; {nf} finding(s).</p>
<table><tr><th>kind</th><th>subject</th><th>detail</th></tr>{findings}</table></body></html>
"#,
        scenario = esc(&r.scenario),
        target = esc(&r.target),
        run = esc(&r.params.run_id),
        requests = s.requests,
        elapsed = s.elapsed_s,
        rate = s.achieved_rate,
        errors = s.errors,
        throttled = s.throttled,
        server = s.server_errors,
        users = r.verification.users_checked,
        groups = r.verification.groups_checked,
        members = r.verification.memberships_checked,
        nf = r.verification.findings.len(),
    )
}
