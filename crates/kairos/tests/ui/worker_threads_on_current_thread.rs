#[kairos::test(worker_threads = 2)]
async fn runs() {}

fn main() {}
