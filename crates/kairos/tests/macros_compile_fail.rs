//! Misuse of `#[kairos::main]` and `#[kairos::test]` is a clear compile error; each case's
//! expected message is in `tests/ui/*.stderr`.

#[test]
fn macro_misuse_fails_to_compile_with_a_clear_message() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
