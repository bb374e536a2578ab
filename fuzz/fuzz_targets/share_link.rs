//! A share link's fragment (`#ms1.…`, what the page reads from any URL it is opened
//! with) decoded as a `mechscope_report::share::SharedView`.
//!
//! The input is read one of two ways, by its first byte, so the fuzzer reaches every
//! layer: as the fragment itself (the prefix, base64url, zlib and their errors), or as
//! the JSON inside a well-formed link (the view, its reports and their versions),
//! which random base64 of random deflate would almost never get to.
//!
//! Invariants: nothing panics; a view that decodes encodes again (unless too large
//! for a link), and that link decodes to a view that encodes to the same link.
#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;
use mechscope_report::share::{self, ShareError};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let fragment = if mode % 2 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(rest, 1);
        format!("#ms1.{}", URL_SAFE_NO_PAD.encode(compressed))
    };
    let Ok(view) = share::decode(&fragment) else {
        return;
    };
    let _ = view.report_in_front();
    let link = match share::encode(&view) {
        Ok(link) => link,
        Err(ShareError::TooLargeForLink { .. }) => return,
        Err(e) => panic!("a view that decoded does not encode: {e}"),
    };
    let again = share::decode(&link)
        .unwrap_or_else(|e| panic!("a link made from a decoded view does not decode: {e}"));
    let relinked = share::encode(&again).expect("the same view encodes twice");
    assert_eq!(relinked, link, "a link does not survive a round trip");
});
