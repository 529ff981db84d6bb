//! Running the real binary and reading its JSON report.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Output of one run.
pub struct Run {
    /// Exit status.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `ocidig` with `args` in `cwd` with a clean environment.
pub fn ocidig_in(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_ocidig"))
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("NO_COLOR", "1")
        .output()
        .expect("run ocidig");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `ocidig` from the crate root.
pub fn ocidig(args: &[&str]) -> Run {
    ocidig_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Runs `ocidig check --format json PATH [extra]` and parses the one JSON document it prints.
pub fn check_json(path: &Path, extra: &[&str]) -> (i32, Value) {
    let p = path.to_string_lossy().into_owned();
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(&p);
    let run = ocidig(&args);
    let v: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}\n{}", run.stdout, run.stderr));
    (run.code, v)
}

/// The findings of a report as (code, file, pointer) triples, sorted.
pub fn triples(v: &Value) -> Vec<(String, String, String)> {
    let mut t: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap_or("").to_string(),
                f["pointer"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    t.sort();
    t
}

/// Findings of one code.
pub fn with_code<'a>(v: &'a Value, code: &str) -> Vec<&'a Value> {
    v["findings"].as_array().unwrap().iter().filter(|f| f["code"] == code).collect()
}

/// Codes of all findings, sorted.
pub fn codes(v: &Value) -> Vec<String> {
    let mut c: Vec<String> =
        v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect();
    c.sort();
    c
}

/// Path of a file in the crate's testdata folder.
pub fn testdata(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").join(rel)
}
