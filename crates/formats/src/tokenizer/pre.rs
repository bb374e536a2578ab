//! The pre-tokenizers of byte-level BPE models, by llama.cpp's `tokenizer.ggml.pre` name.
//!
//! A GGUF file stores the vocabulary and merges but only names the rule that splits text
//! into words before BPE. Each name maps to the normalizer and pre-tokenizer that the
//! model family's own `tokenizer.json` uses (not llama.cpp's regex re-implementation of
//! them), so ids equal Hugging Face's. Names that are not listed are refused: a wrong
//! split gives plausible-looking but wrong ids.

use super::TokenizerError;
use tokenizers::normalizers::unicode::NFC;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{NormalizerWrapper, PreTokenizerWrapper, SplitDelimiterBehavior};

/// A byte-level pre-tokenization rule, as a model family's `tokenizer.json` states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BytePreTokenizer {
    /// GPT-2: `ByteLevel` with its built-in regex
    /// (`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`).
    Gpt2,
    /// StarCoder / SmolLM: every digit on its own (`Digits(individual_digits)`), then GPT-2's.
    DigitsThenGpt2,
    /// Qwen2: NFC normalization, Qwen's split regex (single digits, case-insensitive
    /// contractions), then byte-level without regex.
    Qwen2,
    /// Llama 3: its split regex (digits in groups of up to 3), byte-level without regex,
    /// and BPE with `ignore_merges` (a word that is itself a token is not split).
    Llama3,
}

/// Every `tokenizer.ggml.pre` value MechScope accepts for `tokenizer.ggml.model = "gpt2"`.
///
/// `"default"` (what llama.cpp's converter writes when it does not recognise a
/// tokenizer) and an absent key get GPT-2's rule, as `transformers` does when it reads
/// such a GGUF: it is the rule byte-level BPE started with, and the model's own
/// `tokenizer.json` is the way to be sure.
pub const SUPPORTED_PRE_TOKENIZERS: &[(&str, BytePreTokenizer)] = &[
    ("default", BytePreTokenizer::Gpt2),
    ("gpt-2", BytePreTokenizer::Gpt2),
    ("smollm", BytePreTokenizer::DigitsThenGpt2),
    ("starcoder", BytePreTokenizer::DigitsThenGpt2),
    ("refact", BytePreTokenizer::DigitsThenGpt2),
    ("qwen2", BytePreTokenizer::Qwen2),
    ("deepseek-r1-qwen", BytePreTokenizer::Qwen2),
    ("llama-bpe", BytePreTokenizer::Llama3),
    ("llama3", BytePreTokenizer::Llama3),
    ("llama-v3", BytePreTokenizer::Llama3),
    ("falcon3", BytePreTokenizer::Llama3),
    ("smaug-bpe", BytePreTokenizer::Llama3),
];

const QWEN2_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const LLAMA3_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

impl BytePreTokenizer {
    /// The rule for a `tokenizer.ggml.pre` value (`None`: the key is absent).
    pub fn from_gguf_name(name: Option<&str>) -> Result<Self, TokenizerError> {
        let name = name.unwrap_or("default");
        SUPPORTED_PRE_TOKENIZERS
            .iter()
            .find(|(known, _)| *known == name)
            .map(|&(_, rule)| rule)
            .ok_or_else(|| TokenizerError::UnsupportedPreTokenizer {
                name: name.to_string(),
                supported: SUPPORTED_PRE_TOKENIZERS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The normalizer applied before splitting, if any.
    pub(super) fn normalizer(self) -> Option<NormalizerWrapper> {
        match self {
            BytePreTokenizer::Qwen2 => Some(NFC.into()),
            _ => None,
        }
    }

    /// Whether BPE keeps a word whole when the word is itself a token.
    pub(super) fn ignore_merges(self) -> bool {
        self == BytePreTokenizer::Llama3
    }

    /// The pre-tokenizer.
    pub(super) fn pre_tokenizer(self) -> Result<PreTokenizerWrapper, TokenizerError> {
        let byte_level_with_regex = ByteLevel::new(false, true, true);
        let regex_split = |pattern: &str| -> Result<PreTokenizerWrapper, TokenizerError> {
            let split = Split::new(
                SplitPattern::Regex(pattern.to_string()),
                SplitDelimiterBehavior::Isolated,
                false,
            )
            .map_err(|e| TokenizerError::Backend {
                action: "compile the pre-tokenizer regex",
                message: e.to_string(),
            })?;
            Ok(Sequence::new(vec![
                split.into(),
                ByteLevel::new(false, true, false).into(),
            ])
            .into())
        };
        match self {
            BytePreTokenizer::Gpt2 => Ok(byte_level_with_regex.into()),
            BytePreTokenizer::DigitsThenGpt2 => {
                Ok(
                    Sequence::new(vec![Digits::new(true).into(), byte_level_with_regex.into()])
                        .into(),
                )
            }
            BytePreTokenizer::Qwen2 => regex_split(QWEN2_SPLIT),
            BytePreTokenizer::Llama3 => regex_split(LLAMA3_SPLIT),
        }
    }
}
