#[kairos::main]
fn main() {}
