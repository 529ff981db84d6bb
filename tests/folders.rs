//! A folder of dumps: every dump inside is its own input; stray files are listed once (IN017);
//! symbolic links are never followed.

use crate::fixtures::*;
use crate::util::*;
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn folder_of_dumps_checks_each_dump_and_lists_strays() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    oci_layout(&Image::simple()).write_dir(&root.join("layout"));
    // A layout nested below a bundle's root (Zarf's `images/`, a Hauler store).
    oci_layout(&Image::simple()).write_dir(&root.join("bundle/images"));
    copy_dir(&testdata("registry/storage"), &root.join("mirror"));
    write_tar(&crane_tarball(&Image::simple()), &root.join("app.tar"));
    std::fs::write(root.join("notes.txt"), b"what is in this transfer\n").unwrap();
    // A link out of PATH to a layout: listed, never followed.
    let outside = tempfile::tempdir().unwrap();
    oci_layout(&Image::simple()).write_dir(outside.path());
    std::os::unix::fs::symlink(outside.path(), root.join("elsewhere")).unwrap();

    let (code, v) = check_json(root, &[]);
    let p = root.to_string_lossy().into_owned();
    let inputs: Vec<(String, String)> = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["path"].as_str().unwrap().to_string(), i["format"].as_str().unwrap().to_string()))
        .collect();
    let want: Vec<(String, String)> = [
        ("app.tar", "crane-tarball"),
        ("bundle/images", "oci-layout"),
        ("layout", "oci-layout"),
        ("mirror", "registry-storage"),
    ]
    .iter()
    .map(|(r, f)| (format!("{p}/{r}"), f.to_string()))
    .collect();
    assert_eq!(inputs, want, "{v:#}");
    let strays: Vec<(String, String, String)> = triples(&v).into_iter().filter(|t| t.0 != "SG010").collect();
    assert_eq!(
        strays,
        vec![
            ("IN017".to_string(), "elsewhere".to_string(), String::new()),
            ("IN017".to_string(), "notes.txt".to_string(), String::new()),
        ],
        "{v:#}"
    );
    assert!(with_code(&v, "IN017").iter().all(|f| f["input"] == p.as_str() && f["severity"] == "note"));
    assert_eq!(code, 0);
}

#[test]
fn folder_without_dumps_is_still_one_unknown_input() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"x").unwrap();
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(codes(&v), ["IN001"], "{v:#}");
    assert_eq!(v["inputs"].as_array().unwrap().len(), 1);
    assert_eq!(code, 1);
}

#[test]
fn folder_search_stops_at_max_depth_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    oci_layout(&Image::simple()).write_dir(&root.join("layout"));
    oci_layout(&Image::simple()).write_dir(&root.join("bundle/images"));
    let (code, v) = check_json(root, &["--max-depth", "1"]);
    let inputs: Vec<&str> = v["inputs"].as_array().unwrap().iter().map(|i| i["path"].as_str().unwrap()).collect();
    assert_eq!(inputs, [format!("{}/layout", root.display())], "{v:#}");
    assert_eq!(triples(&v), vec![("IN017".to_string(), "bundle".to_string(), String::new())], "{v:#}");
    assert!(with_code(&v, "IN017")[0]["message"].as_str().unwrap().contains("--max-depth"));
    assert_eq!(code, 0);
    let (_, v) = check_json(root, &["--max-depth", "2"]);
    assert_eq!(v["inputs"].as_array().unwrap().len(), 2, "{v:#}");
}
