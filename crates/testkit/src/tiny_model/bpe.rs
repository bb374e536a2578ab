//! The tiny model's tokenizer: byte-level BPE laid out as SmolLM2's.
//!
//! Ids 0-2 are SmolLM2's special tokens (`<|endoftext|>`, `<|im_start|>`, `<|im_end|>`),
//! then the 256 bytes spelled in GPT-2's byte-to-unicode alphabet (in that alphabet's
//! order, as SmolLM2's vocabulary has them), then the pieces of merges learnt from
//! [`CORPUS`] by plain BPE. The same vocabulary and merges are written as a Hugging Face
//! `tokenizer.json` (with SmolLM2's pre-tokenizer: single digits, then GPT-2's split) and
//! as GGUF `tokenizer.ggml.*` metadata (`pre = "smollm"`), so both readers must give the
//! same ids, and `transformers` must too.

use std::collections::BTreeMap;

/// SmolLM2's special tokens, in id order.
pub(super) const SPECIAL_TOKENS: [&str; 3] = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];
/// `<|im_start|>`: SmolLM2's BOS (never added when encoding).
pub(super) const BOS_ID: u32 = 1;
/// `<|im_end|>`: SmolLM2's EOS and padding.
pub(super) const EOS_ID: u32 = 2;
/// `<|endoftext|>`: SmolLM2's unknown token.
pub(super) const UNK_ID: u32 = 0;

/// How many merges are learnt: enough for the common English pieces (`Ġthe`, `ing`,
/// ...) so that encoding really merges, few enough to keep the vocabulary (and the
/// embedding) tiny.
const MERGES: usize = 64;

/// Self-written English text the merges are learnt from. Changing it changes the
/// vocabulary, hence the model: the references in `crates/model/tests/data` must then
/// be made again.
pub(super) const CORPUS: &str = "\
The cat sat on the mat and the dog sat on the log. The sun is warm in the morning, \
and the birds sing in the trees there. Then the children went to the garden to \
play with the other children. There is nothing better than reading a good book \
on a rainy evening. The teacher said that the answer is in the book on the table. \
In the beginning the river was thin; then the rain came and the river grew. \
She is thinking that the weather will be better, and that they will be singing \
together in the evening. The number 42 is the answer, and 7 is less than 12. \
Where is the station? It is there, on the other side of the bridge.\n";

/// The vocabulary, the merges and the byte alphabet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Bpe {
    /// Every piece in id order, spelled in the byte-level alphabet (specials as text).
    pub(super) pieces: Vec<String>,
    /// Merges in rank order, as `(left, right)` pieces.
    pub(super) merges: Vec<(String, String)>,
}

/// GPT-2's `bytes_to_unicode`: the printable Latin-1 bytes stand for themselves, the
/// other 68 are spelled U+0100 onwards in byte order. Returned in the order GPT-2 lists
/// them (printable bytes first), which is the order of byte tokens in the vocabulary.
pub(super) fn byte_alphabet() -> Vec<(u8, char)> {
    let printable = |b: u8| matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
    let mut table: Vec<(u8, char)> = (0..=255u8)
        .filter(|&b| printable(b))
        .map(|b| (b, char::from(b)))
        .collect();
    let others = (0..=255u8).filter(|&b| !printable(b));
    for (n, b) in others.enumerate() {
        // 256 + n < 512: always a valid scalar value.
        let c = char::from_u32(256 + n as u32).unwrap_or(char::REPLACEMENT_CHARACTER);
        table.push((b, c));
    }
    table
}

/// Splits text roughly as SmolLM2's pre-tokenizer does (every digit alone; otherwise
/// an optional leading space, then a run of letters or of punctuation; whitespace runs
/// alone), enough to learn merges from. Encoding itself is done by the `tokenizers`
/// crate with the real rule, so an approximation here only changes which merges are
/// learnt, never whether they are valid.
fn words(text: &str) -> Vec<&str> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Letter,
        Digit,
        Space,
        Other,
    }
    let class = |c: char| {
        if c.is_ascii_digit() {
            Class::Digit
        } else if c.is_alphabetic() {
            Class::Letter
        } else if c.is_whitespace() {
            Class::Space
        } else {
            Class::Other
        }
    };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&(at, c)) = chars.get(i) {
        let mut kind = class(c);
        let mut j = i + 1;
        // A single space joins the letters or punctuation that follow it.
        if let Some(&(_, next)) = chars.get(j)
            && c == ' '
            && matches!(class(next), Class::Letter | Class::Other)
        {
            kind = class(next);
            j += 1;
        }
        while kind != Class::Digit && chars.get(j).is_some_and(|&(_, n)| class(n) == kind) {
            j += 1;
        }
        let end = chars.get(j).map_or(text.len(), |&(e, _)| e);
        out.push(&text[at..end]);
        i = j;
    }
    out
}

/// Learns the vocabulary: plain BPE over [`CORPUS`]'s words, the most frequent adjacent
/// pair first, ties to the smallest pair (so the result never depends on hash order).
pub(super) fn learn() -> Bpe {
    let alphabet = byte_alphabet();
    let mut spell = ['\0'; 256];
    for &(b, c) in &alphabet {
        spell[b as usize] = c;
    }
    let mut pieces: Vec<String> = SPECIAL_TOKENS.iter().map(|s| s.to_string()).collect();
    pieces.extend(alphabet.iter().map(|&(_, c)| c.to_string()));

    let mut counts: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    for word in words(CORPUS) {
        let symbols = word
            .bytes()
            .map(|b| spell[b as usize].to_string())
            .collect();
        *counts.entry(symbols).or_default() += 1;
    }
    let mut words: Vec<(Vec<String>, usize)> = counts.into_iter().collect();
    let mut merges = Vec::new();
    while merges.len() < MERGES {
        let mut pairs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for (symbols, count) in &words {
            for pair in symbols.windows(2) {
                *pairs.entry((&pair[0], &pair[1])).or_default() += count;
            }
        }
        // max_by_key keeps the last maximum; iterate in reverse so the first (smallest)
        // pair wins ties.
        let Some((&(left, right), _)) = pairs.iter().rev().max_by_key(|(_, n)| **n) else {
            break;
        };
        let (left, right) = (left.to_string(), right.to_string());
        let merged = format!("{left}{right}");
        for (symbols, _) in &mut words {
            let mut i = 0;
            while i + 1 < symbols.len() {
                if symbols[i] == left && symbols[i + 1] == right {
                    symbols[i] = merged.clone();
                    symbols.remove(i + 1);
                }
                i += 1;
            }
        }
        if !pieces.contains(&merged) {
            pieces.push(merged);
        }
        merges.push((left, right));
    }
    Bpe { pieces, merges }
}

/// SmolLM2-135M-Instruct's chat template, verbatim.
pub(super) const CHAT_TEMPLATE: &str = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_the_leading_space_and_split_digits() {
        assert_eq!(
            words("The cat, 42 cats.\n"),
            ["The", " cat", ",", " ", "4", "2", " cats", ".", "\n"]
        );
    }

    #[test]
    fn the_vocabulary_is_bytes_then_merges() {
        let bpe = learn();
        assert_eq!(bpe.merges.len(), MERGES);
        assert_eq!(&bpe.pieces[..3], SPECIAL_TOKENS);
        assert_eq!(bpe.pieces[3], "!");
        assert_eq!(bpe.pieces[3 + 188], "Ā", "the first non-printable byte (0)");
        // Every merge's halves and result are pieces, and no piece repeats.
        let unique: std::collections::HashSet<&String> = bpe.pieces.iter().collect();
        assert_eq!(unique.len(), bpe.pieces.len());
        for (l, r) in &bpe.merges {
            for p in [l.clone(), r.clone(), format!("{l}{r}")] {
                assert!(bpe.pieces.contains(&p), "{p:?} is not a piece");
            }
        }
        // English merges were learnt, e.g. " the" (spelled "Ġthe").
        assert!(bpe.pieces.iter().any(|p| p == "Ġthe"), "{:?}", bpe.pieces);
        assert_eq!(learn(), bpe, "learning is deterministic");
    }
}
