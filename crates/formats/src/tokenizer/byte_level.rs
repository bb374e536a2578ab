//! GPT-2's byte-to-character map and the readable text of vocabulary pieces.
//!
//! Byte-level BPE vocabularies spell every byte as a printable character: the 188
//! printable Latin-1 bytes as themselves, the other 68 (space, control bytes, ...) as
//! U+0100 onwards, so a space is `Ġ` (U+0120) and a newline `Ċ` (U+010A).

/// The character GPT-2 spells each byte with, indexed by byte.
pub(super) fn byte_to_char() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut next_extra = 0u32;
    for byte in 0..=255u8 {
        let printable = matches!(byte, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        table[byte as usize] = if printable {
            char::from(byte)
        } else {
            let c = char::from_u32(256 + next_extra).unwrap_or(char::REPLACEMENT_CHARACTER);
            next_extra += 1;
            c
        };
    }
    table
}

/// The byte a byte-level character stands for, if it is one.
pub(super) fn char_to_byte(c: char) -> Option<u8> {
    let code = c as u32;
    if let Ok(byte) = u8::try_from(code) {
        let printable = matches!(byte, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        return printable.then_some(byte);
    }
    // U+0100.. are the non-printable bytes in increasing order.
    let rank = code.checked_sub(256)?;
    (0..=255u8)
        .filter(|b| !matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF))
        .nth(rank as usize)
}

/// Spells `text`'s UTF-8 bytes in the byte-level alphabet.
pub(super) fn spell(text: &str, table: &[char; 256]) -> String {
    text.bytes().map(|b| table[b as usize]).collect()
}

/// The text a byte-level piece stands for (`ĠParis` → `" Paris"`); bytes that do not
/// form whole UTF-8 characters become `�`, characters outside the alphabet stay as they are.
pub(super) fn piece_text(piece: &str) -> String {
    let mut bytes = Vec::with_capacity(piece.len());
    for c in piece.chars() {
        match char_to_byte(c) {
            Some(b) => bytes.push(b),
            None => {
                let mut buf = [0u8; 4];
                bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The byte of a SentencePiece byte-fallback piece (`<0x0A>` → 10).
pub(super) fn byte_fallback_piece(piece: &str) -> Option<u8> {
    let hex = piece.strip_prefix("<0x")?.strip_suffix('>')?;
    if hex.len() != 2 {
        return None;
    }
    u8::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_is_gpt2s() {
        let table = byte_to_char();
        // Known points of GPT-2's bytes_to_unicode: space → Ġ, newline → Ċ, 'A' → 'A',
        // 0xAD (soft hyphen, not printable) → the last extra, U+0143 (Ń).
        assert_eq!(table[b' ' as usize], 'Ġ');
        assert_eq!(table[b'\n' as usize], 'Ċ');
        assert_eq!(table[b'A' as usize], 'A');
        assert_eq!(table[0xAD], 'Ń');
        assert_eq!(table[0], 'Ā');
        let distinct: std::collections::HashSet<char> = table.iter().copied().collect();
        assert_eq!(distinct.len(), 256);
        for (byte, &c) in table.iter().enumerate() {
            assert_eq!(char_to_byte(c), Some(byte as u8));
        }
        assert_eq!(char_to_byte('é'), Some(0xE9));
        assert_eq!(char_to_byte('\u{0144}'), None);
        assert_eq!(char_to_byte(' '), None);
    }

    #[test]
    fn pieces_read_as_text() {
        assert_eq!(piece_text("ĠParis"), " Paris");
        assert_eq!(piece_text("Ċ"), "\n");
        // "é" is C3 A9, spelled "Ã©"; half of it is not a character.
        assert_eq!(piece_text("Ã©"), "é");
        assert_eq!(piece_text("Ã"), "\u{FFFD}");
        assert_eq!(spell(" é", &byte_to_char()), "ĠÃ©");
        assert_eq!(byte_fallback_piece("<0x0A>"), Some(10));
        assert_eq!(byte_fallback_piece("<0x0A"), None);
        assert_eq!(byte_fallback_piece("<0xZZ>"), None);
    }
}
