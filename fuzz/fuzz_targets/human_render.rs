//! The human renderer over an arbitrary document and findings whose spans, pointers and texts
//! come from the input: must not panic, and no raw control character may reach its output.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocidig::diag::Finding;
use ocidig::report::human::{HumanOptions, render};
use ocidig::report::{Report, terminal};
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    // Layout: [n findings][width] then, per finding, 4-byte offset, 2-byte length, 1-byte
    // pointer length, then the rest is the document; texts are cut from the document.
    let Some((&n, rest)) = data.split_first() else { return };
    let Some((&w, rest)) = rest.split_first() else { return };
    let n = usize::from(n % 24);
    let head = n * 7;
    if rest.len() < head {
        return;
    }
    let (specs, doc) = rest.split_at(head);
    let text = String::from_utf8_lossy(doc).into_owned();
    let rule = ocidig::checks::registry::find("MT002").expect("registered");
    let findings = specs
        .chunks(7)
        .map(|s| {
            let off = u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as u64 % (doc.len() as u64 + 2);
            let len = u64::from(u16::from_le_bytes([s[4], s[5]]));
            let plen = usize::from(s[6]).min(text.len());
            let cut = |k: usize| text.get(..k).unwrap_or(&text).to_string();
            let mut f = Finding::new(rule, &cut(plen / 2), cut(plen)).file("doc").at(off, len);
            if s[6] % 2 == 0 {
                f = f.pointer(cut(plen / 3)).expected_actual(cut(plen / 4), cut(plen / 5));
            }
            f
        })
        .collect();
    let mut report = Report { findings, ..Report::default() };
    report.sources.insert(("".into(), "doc".into()), Arc::new(doc.to_vec()));
    for f in &report.findings {
        report.sources.insert((f.input.clone(), "doc".into()), Arc::new(doc.to_vec()));
    }
    let out = render(&report, HumanOptions { color: false, width: usize::from(w).max(20) });
    assert!(!terminal::has_raw_control(&out), "raw control in {out:?}");
});
