//! Imports point one way: no `use crate::...` cycle among the top-level modules of the library
//! (`src/*.rs`, `src/*/`) or of the command-line tool (`src/bin/cloudfront-edge-auth/`).
//!
//! Every `crate::name` path in a module's files (its `use` lines and inline paths, `crate::{a,
//! b}` groups included) is an edge to the module `name`. A reference to the crate root itself
//! (an item defined in `lib.rs` or `main.rs`) counts as an edge to the root, which reaches
//! every module, so it is refused too.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const ROOT: &str = "(crate root)";

/// The `.rs` files of `path` (a file, or a folder read recursively).
fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut files = Vec::new();
    for entry in fs::read_dir(path).expect("read module folder") {
        let entry = entry.expect("read module folder entry").path();
        if entry.is_dir() {
            files.extend(rust_files(&entry));
        } else if entry.extension().is_some_and(|ext| ext == "rs") {
            files.push(entry);
        }
    }
    files
}

/// Source without `//` comments (doc comments cite paths that are not imports).
fn code_of(source: &str) -> String {
    source
        .lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn identifier(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The first segment of every `crate::` path in `code`.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        if at > 0 {
            let before = code.as_bytes()[at - 1];
            if before.is_ascii_alphanumeric() || before == b'_' {
                continue; // `$crate::`, `my_crate::`
            }
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group: `crate::{a, b::c, d::{e, f}}`.
            let mut depth = 0usize;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if c.is_whitespace() => {}
                    _ if start => {
                        names.insert(identifier(&group[i..]).to_string());
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            names.insert(identifier(rest).to_string());
        }
    }
    names
}

/// Module -> modules it names, for the crate whose root file is `root` in `dir`.
fn graph(dir: &Path, root: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut modules = BTreeMap::new();
    for entry in fs::read_dir(dir).expect("read source folder") {
        let path = entry.expect("read source folder entry").path();
        let name = path
            .file_stem()
            .expect("file name")
            .to_string_lossy()
            .into_owned();
        if name == root.trim_end_matches(".rs") || name == "bin" {
            continue;
        }
        if path.is_file() && path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        modules.insert(name, path);
    }
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, path)| {
            let mut edges = BTreeSet::new();
            for file in rust_files(path) {
                let code = code_of(&fs::read_to_string(&file).expect("read source file"));
                for target in crate_paths(&code) {
                    if target == *name || target == "self" {
                        continue;
                    }
                    edges.insert(if known.contains(&target) {
                        target
                    } else {
                        ROOT.to_string()
                    });
                }
            }
            (name.clone(), edges)
        })
        .collect()
}

/// A cycle of `graph`, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn assert_acyclic(dir: &str, root: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let graph = graph(&dir, root);
    assert!(
        graph.len() > 3,
        "found only {} modules in {dir:?}",
        graph.len()
    );
    for (module, edges) in &graph {
        assert!(
            !edges.contains(ROOT),
            "{module} names an item of {root}; import it from the module that defines it"
        );
    }
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle in {dir:?}: {}", cycle.join(" -> "));
    }
}

#[test]
fn library_modules_import_one_way() {
    assert_acyclic("src", "lib.rs");
}

#[test]
fn cli_modules_import_one_way() {
    assert_acyclic("src/bin/cloudfront-edge-auth", "main.rs");
}

#[test]
fn crate_paths_reads_groups_and_nested_paths() {
    let code = "use crate::{a, b::C, d::{e, f}};\nuse crate::g::H;\nlet x = crate::i::j();";
    let names: Vec<_> = crate_paths(code).into_iter().collect();
    assert_eq!(names, ["a", "b", "d", "g", "i"]);
}
