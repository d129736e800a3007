//! The fast YAML reader against saphyr-parser: wherever the fast reader takes a file,
//! it must give exactly saphyr's events, spans included, and it must never take a
//! file that saphyr rejects. Checked on every YAML file of the repository, on every
//! case of the YAML test suite (`fixtures/conformance/yaml-test-suite`) and on
//! hand-written files covering each construct of its subset.

mod common;

use gwlint::load::yaml_fast::{read, Outcome};
use saphyr_parser::{Event, Parser, Span};
use std::path::{Path, PathBuf};

type Events<'a> = Vec<(Event<'a>, Span)>;

/// saphyr's events, or its error message.
fn saphyr(text: &str) -> Result<Events<'_>, String> {
    let mut parser = Parser::new_from_str(text);
    let mut events = Vec::new();
    while let Some(next) = parser.next_event() {
        events.push(next.map_err(|e| e.to_string())?);
    }
    Ok(events)
}

/// The fast reader's events, when it takes the text.
fn fast(text: &str) -> Option<Events<'_>> {
    let mut events = Vec::new();
    let outcome = read(text, |event, span| {
        events.push((event, span));
        Ok::<(), ()>(())
    });
    match outcome {
        Outcome::Done => Some(events),
        Outcome::Unsupported => None,
        Outcome::Stopped(()) => unreachable!("the receiver never stops"),
    }
}

/// Whether the fast reader took `text`; panics when it disagrees with saphyr.
fn agrees(name: &str, text: &str) -> bool {
    let Some(events) = fast(text) else {
        return false;
    };
    match saphyr(text) {
        Ok(expected) => {
            if let Some(i) =
                (0..events.len().max(expected.len())).find(|&i| events.get(i) != expected.get(i))
            {
                panic!(
                    "{name}: event {i} differs\n fast:   {:?}\n saphyr: {:?}",
                    events.get(i),
                    expected.get(i)
                );
            }
        }
        Err(error) => panic!("{name}: the fast reader took a file saphyr rejects ({error})"),
    }
    true
}

/// Files in the fast reader's subset, one construct or convention each.
const SUBSET: &[&str] = &[
    "a: 1\n",
    "a: 1",
    "a: 1\n\n\n",
    "# leading comment\n\na: 1 # trailing\n# closing comment\n",
    "a:\n  b:\n    c: x\n  d: y\ne: z\n",
    "a:\n- 1\n- 2\nb: 3\n",
    "a:\n  - 1\n  - x: 1\n    y: 2\n  -\n  - []\n  - {}\nb: ~\n",
    "- a\n-\n- b\n",
    "- a: 1\n  b:\n    - c\n- d\n",
    "-\n  - nested\n  - items\n",
    "empty:\nnext: 1\nlast:\n",
    "empty: # comment\nnext: 1\n",
    "\"quoted key\": 'single'\n'k': \"double # not a comment\"\n",
    "methods: [GET, HEAD]\nempty: []\nquoted: [\"a\", 'b', c d]\n",
    "url: http://example.com:8080/x#frag\nneg: -1\nrange: v[12]\n",
    "regex_uri: [\"^/api/(.*)\", \"/$1\"]\n",
    "text: it's fine\n",
    "  indented: root\n  second: 2\n",
    "a: 1\nb:\n\n  # comment inside\n\n  c: 2\n",
    "a: true\nb: 010\nc: yes\nd: 1.5e3\ne: null\n",
    "<<: {}\n",
    "a: {}  # c\nb: []  # d\nc: [x]   # e\nd: {} \ne: [y]\n",
    "a:\n  b: 1",
    "a:\n  - x\n  - y: 1",
    "a:\n  b: 1\nc: 2",
    // Found by fuzzing: a quoted scalar's span runs on over the blanks and comment
    // after it (to the end of the line in block context, to `,` or `]` in a flow).
    "a: \"x\"  # c\nb: 'y'   \nc: \"z\"\nd: [\"p\"  , 'q'  ]\ne: x   \n",
    "g:\n  cors:\n    allow_origins: \" *\"   \nallow_methods: GET\n",
    "a: [x  , y ]\nb: [ ]\nc: [ z]\n",
    "k:   \nl: 1\n",
    "-   x\n-    y: 1\n     z: 2\n",
    "key:    value   \n",
    "a:\n# c\nb: 1\n",
    "a:\n- 1\n# c\n- 2\n# d\nb: 2\n",
    "a:\n  - b:\n    - c\n  - d\n",
    "- a:\n  b: 1\n",
    "a: x -, y\nb: [a -b, a - b, c]\n",
];

/// Files outside the subset: the fast reader must leave them to saphyr.
const OUTSIDE: &[&str] = &[
    "",
    "# only a comment\n",
    "plain scalar\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: |\n  block\n",
    "a: >\n  folded\n",
    "a: \"esc\\n\"\n",
    "a: 'it''s'\n",
    "a: multi\n  line\n",
    "a: {b: 1}\n",
    "a: [b, [c]]\n",
    "a: [b, ]\n",
    "---\na: 1\n",
    "a: 1\n---\nb: 2\n",
    "a: 1\n...\n",
    "%YAML 1.2\n---\na: 1\n",
    "a:\tb\n",
    "a: 1\r\n",
    "a: é\n",
    "\u{feff}a: 1\n",
    "? complex\n: key\n",
    "a: b: c\n",
    "a : 1\n",
    "- - nested\n",
    "a:\n  b: 1\n c: 2\n",
    "a: 1\n  b: 2\n",
    "- a\nb: 1\n",
    "a: \"unclosed\n",
    "a: @reserved\n",
    // Found by fuzzing: a last line of blanks or a comment without a line break.
    "a:\n  b:\n    c: 1\n ",
    "a:\n  b:\n    c: 1\n  # c",
    // Found by fuzzing: saphyr rejects a flow item that ends in ` -`.
    "a: [x -]\n",
    "a: [1 -, b]\n",
];

#[test]
fn the_subset_is_read_exactly_as_saphyr_reads_it() {
    for (i, text) in SUBSET.iter().enumerate() {
        assert!(
            agrees(&format!("subset {i}"), text),
            "subset {i} not taken: {text:?}"
        );
    }
}

#[test]
fn files_outside_the_subset_are_left_to_saphyr() {
    for (i, text) in OUTSIDE.iter().enumerate() {
        assert!(fast(text).is_none(), "outside {i} was taken: {text:?}");
    }
}

fn yaml_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    files
}

/// Read a file small enough to compare (the hostile catalog's huge files are left out).
fn small_text(path: &Path) -> Option<String> {
    let size = std::fs::metadata(path).ok()?.len();
    (size < 1 << 20).then(|| std::fs::read_to_string(path).ok())?
}

/// How many of `paths` the fast reader took, and how many could be read (each one
/// taken is checked against saphyr).
fn taken_of(paths: impl IntoIterator<Item = PathBuf>) -> (usize, usize) {
    let mut taken = 0;
    let mut seen = 0;
    for path in paths {
        let Some(text) = small_text(&path) else {
            continue;
        };
        seen += 1;
        if agrees(&path.display().to_string(), &text) {
            taken += 1;
        }
    }
    (taken, seen)
}

#[test]
fn every_yaml_file_of_the_repository_agrees() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (taken, seen) = taken_of(
        ["fixtures", "policies", "examples"]
            .into_iter()
            .flat_map(|dir| yaml_files(&root.join(dir)))
            // The YAML test suite is mostly YAML the subset leaves out on purpose; it
            // has its own test below.
            .filter(|path| !path.starts_with(root.join("fixtures/conformance/yaml-test-suite"))),
    );
    // Most configuration files are plain block YAML; if the fast reader stopped
    // taking them, this test would no longer test it.
    assert!(seen > 50, "only {seen} YAML files found");
    assert!(
        taken * 2 > seen,
        "the fast reader took only {taken} of {seen} files"
    );
}

#[test]
fn every_case_of_the_yaml_test_suite_agrees() {
    let suite = common::fixture("conformance/yaml-test-suite");
    let (taken, seen) = taken_of(yaml_files(&suite));
    assert!(seen > 300, "only {seen} cases found");
    assert!(
        taken > 15,
        "the fast reader took only {taken} of {seen} cases"
    );
}
