//! `#[kairos::main]` and `#[kairos::test]` expand to working runtimes with the requested
//! flavor and settings.

use kairos::runtime::{Handle, RuntimeFlavor};

#[kairos::test]
async fn test_defaults_to_current_thread() {
    assert_eq!(
        Handle::current().runtime_flavor(),
        RuntimeFlavor::CurrentThread
    );
}

#[kairos::test(flavor = "multi_thread", worker_threads = 3)]
async fn multi_thread_with_worker_count() {
    let handle = Handle::current();
    assert_eq!(handle.runtime_flavor(), RuntimeFlavor::MultiThread);
    assert_eq!(handle.metrics().num_workers(), 3);
}

#[kairos::test(crate = "kairos")]
async fn crate_path_argument() {
    assert_eq!(kairos::spawn(async { 2 }).await.unwrap(), 2);
}

#[kairos::test]
async fn returns_result_and_uses_question_mark() -> Result<(), std::num::ParseIntError> {
    let n: u32 = "42".parse()?;
    assert_eq!(n, 42);
    Ok(())
}

#[kairos::test]
#[should_panic(expected = "inside the test")]
async fn other_attributes_are_kept() {
    panic!("inside the test");
}

mod renamed {
    // The macros work when the crate is imported under another name.
    extern crate kairos as rt;

    #[rt::test(crate = "rt")]
    async fn through_a_renamed_crate() {
        assert_eq!(rt::spawn(async { 1 }).await.unwrap(), 1);
    }
}

#[test]
fn main_macro_builds_multi_thread_runtime_and_returns_the_value() {
    #[kairos::main]
    async fn compute() -> usize {
        Handle::current().metrics().num_workers()
    }
    assert!(compute() >= 1);
}
