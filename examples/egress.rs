//! Placeholder until the front end lands.
fn main() {}
