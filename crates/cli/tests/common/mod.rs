//! What the CLI's integration tests share: running the binary and reading its PNGs.
// Each test binary compiles this module and uses a part of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs the `mechscope` binary built for these tests.
pub fn mechscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mechscope"))
        .args(args)
        .output()
        .expect("the mechscope binary runs")
}

/// A PNG's size in pixels, read by the png crate's decoder.
pub fn png_size(path: &Path) -> (u32, u32) {
    let file = std::fs::File::open(path).unwrap_or_else(|_| panic!("{} written", path.display()));
    let reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap();
    (reader.info().width, reader.info().height)
}
