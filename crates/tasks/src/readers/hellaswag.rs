//! HellaSwag in llama.cpp's text layout: six lines per item (context, gold index, four
//! endings), usually bzip2-compressed (`hellaswag_val.txt.bz2`).

use std::io::Read;

use super::fields::{gold_index, item};
use crate::error::{Loaded, Location, ReadError, RowProblem};
use crate::item::ItemKind;

/// The most bytes a bzip2 file may decompress to. The real HellaSwag validation text is
/// about 11 MB; the limit stops a damaged or hostile file from filling the browser tab's
/// memory (bzip2 can expand a few bytes into gigabytes).
pub const MAX_DECOMPRESSED_BYTES: usize = 512 * 1024 * 1024;

/// Lines per item and what each holds, for error messages.
const FIELDS: [&str; 6] = [
    "context", "gold", "ending0", "ending1", "ending2", "ending3",
];

/// Whether the bytes start with a bzip2 stream header (`BZh` and a block size digit).
pub(crate) fn is_bzip2(bytes: &[u8]) -> bool {
    matches!(bytes, [b'B', b'Z', b'h', b'1'..=b'9', ..])
}

/// Decompresses bzip2 bytes (several concatenated streams too), refusing output over
/// `limit_bytes`. Damaged or cut-short data gives an error, never a panic.
pub(crate) fn decompress_bzip2(bytes: &[u8], limit_bytes: usize) -> Result<Vec<u8>, ReadError> {
    let decoder = bzip2::read::MultiBzDecoder::new(bytes);
    let mut out = Vec::new();
    let cap = u64::try_from(limit_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    decoder
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|error| ReadError::Bzip2(error.to_string()))?;
    if out.len() > limit_bytes {
        return Err(ReadError::TooLarge { limit_bytes });
    }
    Ok(out)
}

/// Reads HellaSwag text, bzip2-compressed or already decompressed. A bad item (gold not
/// 0-3, lines that are not UTF-8, a cut-off last item) becomes an error at its first line.
pub(crate) fn read_hellaswag(bytes: &[u8]) -> Result<Loaded, ReadError> {
    let decompressed;
    let text = if is_bzip2(bytes) {
        decompressed = decompress_bzip2(bytes, MAX_DECOMPRESSED_BYTES)?;
        decompressed.as_slice()
    } else {
        bytes
    };
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    if text.is_empty() {
        return Ok(Loaded::default());
    }
    let lines: Vec<&[u8]> = text
        .split(|byte| *byte == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .collect();
    let mut loaded = Loaded::default();
    for (index, group) in lines.chunks(FIELDS.len()).enumerate() {
        let location = Location::Line(index * FIELDS.len() + 1);
        match item_from_lines(index, group) {
            Ok(item) => loaded.items.push(item),
            Err(problem) => loaded.errors.push(problem.at(location)),
        }
    }
    Ok(loaded)
}

fn item_from_lines(index: usize, group: &[&[u8]]) -> Result<crate::item::Item, RowProblem> {
    if let Some(missing) = FIELDS.get(group.len()) {
        return Err(RowProblem::Incomplete {
            found: group.len(),
            expected: FIELDS.len(),
            missing: (*missing).to_string(),
        });
    }
    let lines = group
        .iter()
        .map(|line| std::str::from_utf8(line).map(str::to_string))
        .collect::<Result<Vec<String>, _>>()
        .map_err(|_| RowProblem::NotUtf8)?;
    let [context, gold, endings @ ..] = lines.as_slice() else {
        return Err(RowProblem::MissingField("context".into()));
    };
    let gold = gold
        .trim()
        .parse::<i64>()
        .map_err(|_| RowProblem::WrongType {
            field: "gold".into(),
            expected: "an integer 0-3",
        })?;
    let gold = gold_index(gold, endings.len(), "gold")?;
    Ok(item(
        index,
        context.clone(),
        endings.to_vec(),
        ItemKind::Completion { gold },
    ))
}
