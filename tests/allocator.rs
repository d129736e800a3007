//! The binary keeps freed memory with mimalloc (`keep_freed_memory` in src/main.rs):
//! that needs build.rs to have found the number of mimalloc's `purge_delay` option in
//! the header of the mimalloc being linked. A header whose option list build.rs can no
//! longer read fails here instead of silently dropping the setting.

#[test]
fn build_found_the_purge_delay_option_of_the_linked_mimalloc() {
    let Some(number) = option_env!("GWLINT_MI_PURGE_DELAY_OPTION") else {
        panic!("build.rs found no `mi_option_purge_delay` in mimalloc.h");
    };
    let number: u32 = number.parse().expect("a number");
    assert!(
        (1..64).contains(&number),
        "an option number of mimalloc's short list: {number}"
    );
}
