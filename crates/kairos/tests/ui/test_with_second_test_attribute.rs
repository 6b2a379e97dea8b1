#[kairos::test]
#[test]
async fn runs() {}

fn main() {}
