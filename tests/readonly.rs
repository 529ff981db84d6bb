//! ocidig never changes its input: bytes and mtimes are the same after a run.

use crate::fixtures::*;
use crate::util::*;
use std::collections::BTreeMap;
use std::path::Path;

fn snapshot(root: &Path) -> BTreeMap<String, (Vec<u8>, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        let meta = std::fs::symlink_metadata(&p).unwrap();
        if meta.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
        } else if meta.is_file() {
            out.insert(p.display().to_string(), (std::fs::read(&p).unwrap(), meta.modified().unwrap()));
        }
    }
    out
}

#[test]
fn inputs_are_unchanged_after_a_run() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    oci_layout(&Image::simple()).write_dir(&layout);
    let tar = dir.path().join("save.tar");
    write_tar(&docker_archive(&Image::simple()), &tar);
    let gz = dir.path().join("save.tar.gz");
    std::fs::write(&gz, gzip(&docker_archive(&Image::simple()).to_tar())).unwrap();
    let before = snapshot(dir.path());
    let run =
        ocidig(&["check", "--format", "json", layout.to_str().unwrap(), tar.to_str().unwrap(), gz.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(snapshot(dir.path()), before);
}
