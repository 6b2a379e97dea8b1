#[kairos::test]
fn runs() {}

fn main() {}
