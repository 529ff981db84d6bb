//! The span-keeping JSON parser, differentially against serde_json: the same documents are
//! accepted and rejected, and an accepted one has the same value (duplicate keys: last wins,
//! as serde_json's map keeps it). Spans must lie inside the input and nest.
//!
//! Known, deliberate differences are skipped: serde_json's recursion limit (128) and its
//! rejection of numbers out of f64 range; ocidig keeps both (they are findings, not errors).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocidig::model::json::{Node, Value, parse};

fn check_spans(n: &Node, lo: usize, hi: usize) {
    assert!(lo <= n.start && n.start <= n.end && n.end <= hi, "span {}..{} outside {lo}..{hi}", n.start, n.end);
    match &n.value {
        Value::Array(items) => items.iter().for_each(|c| check_spans(c, n.start, n.end)),
        Value::Object(members) => members.iter().for_each(|m| check_spans(&m.node, n.start, n.end)),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let ours = parse(data);
    let theirs = serde_json::from_slice::<serde_json::Value>(data);
    match (&ours, &theirs) {
        (Ok(p), Ok(v)) => {
            check_spans(&p.root, 0, data.len());
            assert_eq!(&p.root.to_serde(), v, "values differ");
        }
        (Err(_), Err(_)) => {}
        (Ok(_), Err(e)) => {
            let m = e.to_string();
            assert!(
                m.contains("recursion limit") || m.contains("number out of range"),
                "ocidig accepts what serde_json rejects: {m}"
            );
        }
        (Err(e), Ok(_)) => panic!("ocidig rejects what serde_json accepts: {e:?}"),
    }
});
