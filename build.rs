//! Build script: rebuild when the embedded policy pack, templates or grammar change.
fn main() {
    // The built-in policy pack and templates are embedded with include_dir!.
    println!("cargo:rerun-if-changed=policies");
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=grammar");
}
