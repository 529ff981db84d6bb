//! Every dump of testdata/real-world (copies of shared/corpus/real-world: files written by real
//! tools, see its README.md) checked against its line in expect.tsv.

use crate::util::*;

/// Rows whose expectation depends on work outside the layer rules, with the reason; they are
/// run and printed but not asserted. Remove a row once its fix is in.
const PENDING: &[(&str, &str)] = &[];

/// What expect.tsv asks of one dump.
#[derive(Debug)]
enum Expect {
    /// Exit 0 and no error finding.
    Valid,
    /// Exit 1.
    Error,
    /// At least `n` findings of `code`.
    AtLeast(String, usize),
}

fn parse(s: &str) -> Expect {
    match s {
        "valid" => Expect::Valid,
        "error" => Expect::Error,
        other => {
            let (code, n) = other.split_once('x').map_or((other, 1), |(c, n)| (c, n.parse().unwrap()));
            Expect::AtLeast(code.to_string(), n)
        }
    }
}

#[test]
fn real_world_dumps_meet_their_expectations() {
    let tsv = std::fs::read_to_string(testdata("real-world/expect.tsv")).unwrap();
    let mut checked = 0;
    for line in tsv.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let (path, want) = line.split_once('\t').unwrap();
        let want = parse(want.trim());
        let (code, v) = check_json(&testdata(&format!("real-world/{path}")), &[]);
        let errors: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| format!("{} {}", f["code"], f["message"]))
            .collect();
        let ok = match &want {
            Expect::Valid => code == 0 && errors.is_empty(),
            Expect::Error => code == 1,
            Expect::AtLeast(c, n) => with_code(&v, c).len() >= *n,
        };
        if let Some((_, why)) = PENDING.iter().find(|(p, _)| *p == path) {
            eprintln!("pending {path} (expect {want:?}, met: {ok}): {why}");
            continue;
        }
        assert!(ok, "{path}: expected {want:?}, got exit {code}, errors {errors:#?}");
        checked += 1;
    }
    assert_eq!(checked, 6, "rows asserted");
}
