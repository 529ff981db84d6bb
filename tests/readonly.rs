//! ocidig never changes its input: bytes and mtimes are the same after a run of any subcommand.

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
    // Every other subcommand, on every input, from inside the dump directory too.
    for input in [&layout, &tar, &gz] {
        let p = input.to_str().unwrap();
        for args in [&["tree", p][..], &["ls", p], &["attestations", p], &["verify", p]] {
            let run = ocidig(args);
            assert!((0..=1).contains(&run.code), "{args:?}: {}", run.stderr);
            let run = ocidig_in(&layout, args);
            assert!((0..=1).contains(&run.code), "{args:?}: {}", run.stderr);
        }
    }
    assert_eq!(ocidig_in(&layout, &["check", "."]).code, 0);
    assert_eq!(snapshot(dir.path()), before);
}
