#[kairos::test]
struct NotAFunction;

fn main() {}
