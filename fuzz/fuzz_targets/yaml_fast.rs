//! Fuzz the fast YAML reader against saphyr-parser: whenever the fast reader takes
//! the input, saphyr must accept it too and give exactly the same events and spans.
#![no_main]

use gwlint::load::yaml_fast::{read, Outcome};
use libfuzzer_sys::fuzz_target;
use saphyr_parser::Parser;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut events = Vec::new();
    let outcome = read(text, |event, span| {
        events.push((event, span));
        Ok::<(), ()>(())
    });
    if !matches!(outcome, Outcome::Done) {
        return;
    }
    let mut parser = Parser::new_from_str(text);
    let mut expected = Vec::new();
    while let Some(next) = parser.next_event() {
        match next {
            Ok(event) => expected.push(event),
            Err(error) => panic!("the fast reader took input saphyr rejects: {error}"),
        }
    }
    assert_eq!(events, expected);
});
