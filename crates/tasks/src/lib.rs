//! The tasks stage: benchmark readers (llm-foundry JSONL, MMLU CSV, BBH JSON, ...),
//! prompt rendering with chat templates, answer extraction and scoring, and the
//! project's own seeded generators (ability diagnostics, LPP probes, demo tasks).
//!
//! It knows nothing about models or metrics: it turns data into prompts and responses
//! into scores. Filled by the MUI issue; today it only fixes its place.
