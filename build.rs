//! Re-run the build when migrations or templates change, so embedded
//! migrations and compiled templates never go stale.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=templates");
}
