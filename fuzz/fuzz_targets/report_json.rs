//! A report JSON (what `mechscope ... --json` writes and the page opens) from arbitrary
//! bytes, decoded as `mechscope_report::Report`.
//!
//! Invariants: nothing panics; a report that decodes encodes again and that encoding
//! decodes too (what the page saves, it can open).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mechscope_report::Report;

fuzz_target!(|data: &[u8]| {
    let Ok(report) = Report::from_json(data) else {
        return;
    };
    let _ = (report.mui(), report.lpp(), report.ais());
    let encoded = serde_json::to_vec(&report).expect("a decoded report encodes");
    if let Err(error) = Report::from_json(&encoded) {
        panic!(
            "a report that decoded does not decode after encoding: {error}\n{}",
            String::from_utf8_lossy(&encoded)
        );
    }
});
