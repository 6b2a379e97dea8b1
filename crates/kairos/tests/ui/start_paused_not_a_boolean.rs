#[kairos::test(start_paused = "yes")]
async fn paused_with_a_string() {}

fn main() {}
