//! The demo model's forward pass against PyTorch + transformers on the same weights
//! (`../shared/fixtures/logits_smollm2.json`): top-20 next tokens, their logits and
//! log-probabilities, and the mean norm of every layer's residual stream.
//!
//! Skips with a message when the model (from `cargo xtask setup`) or `../shared` is absent.

use burn::tensor::Device;
use mechscope_model::LoadedModel;
use mechscope_model::next_token::next_tokens;
use serde_json::Value;
use std::path::PathBuf;

fn demo_model_bytes() -> Option<Vec<u8>> {
    // `cargo xtask test` sets MECHSCOPE_MODELS to its model cache.
    let dir = std::env::var_os("MECHSCOPE_MODELS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/mechscope/models"))
        })?;
    let path = dir.join("SmolLM2-135M-Instruct.Q4_1.gguf");
    std::fs::read(&path)
        .map_err(|e| {
            eprintln!(
                "SKIP: no demo model at {} ({e}); run `cargo xtask setup`",
                path.display()
            )
        })
        .ok()
}

fn fixture() -> Option<Value> {
    let path = mechscope_testkit::crate_dir().join("../../../shared/fixtures/logits_smollm2.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|_| {
            eprintln!(
                "SKIP: {} is absent (../shared is not beside the clone)",
                path.display()
            )
        })
        .ok()?;
    serde_json::from_str(&text).ok()
}

fn ids(v: &Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

fn check_prompt(model: &LoadedModel, prompt: &Value, name: &str) {
    let input = ids(&prompt["input_ids"]);
    let result = pollster::block_on(next_tokens(&model.decoder, &input, 20)).expect("forward runs");
    let reference = prompt["top20"].as_array().unwrap();
    assert_eq!(result.top.len(), reference.len());
    let (mut worst_logit, mut worst_norm) = (0f64, 0f64);
    for (rank, (want, got)) in reference.iter().zip(&result.top).enumerate() {
        let want_id = want["id"].as_u64().unwrap() as u32;
        assert_eq!(
            got.id, want_id,
            "{name}: rank {rank} is id {}, PyTorch has {want_id}",
            got.id
        );
        let dl = (f64::from(got.logit) - want["logit"].as_f64().unwrap()).abs();
        assert!(dl <= 2e-3, "{name}: logit of id {} differs by {dl}", got.id);
        worst_logit = worst_logit.max(dl);
        let dp = (got.logprob - want["logprob"].as_f64().unwrap()).abs();
        assert!(
            dp <= 2e-3,
            "{name}: logprob of id {} differs by {dp}",
            got.id
        );
    }
    let norms = prompt["residual_norm_mean_over_positions_per_layer"]
        .as_array()
        .unwrap();
    assert_eq!(result.layer_norms.len(), norms.len());
    for (layer, (got, want)) in result.layer_norms.iter().zip(norms).enumerate() {
        let want = want.as_f64().unwrap();
        let rel = (got - want).abs() / want;
        assert!(
            rel <= 1e-3,
            "{name}: layer {layer} mean norm {got} vs {want} (rel {rel:.2e})"
        );
        worst_norm = worst_norm.max(rel);
    }
    eprintln!("{name}: max |Δlogit| {worst_logit:.2e}, max relative norm error {worst_norm:.2e}");
}

fn check_device(device: Device) {
    let (Some(bytes), Some(fixture)) = (demo_model_bytes(), fixture()) else {
        return;
    };
    let model = LoadedModel::from_gguf(&bytes, &device).expect("the demo model loads");
    check_prompt(&model, &fixture["prompt_plain"], "plain");
    check_prompt(&model, &fixture["prompt_chat"], "chat");
}

#[test]
fn cpu_backend_matches_pytorch() {
    check_device(Device::flex());
}

/// wgpu natively: Vulkan, which on machines without a GPU is lavapipe (Mesa's CPU
/// Vulkan, installed by `cargo xtask setup`): slow, but the same shaders as a GPU.
#[test]
fn wgpu_backend_matches_pytorch() {
    if std::env::var_os("MECHSCOPE_SKIP_WGPU").is_some() {
        eprintln!("SKIP: MECHSCOPE_SKIP_WGPU is set");
        return;
    }
    check_device(Device::wgpu(burn::tensor::DeviceKind::DefaultDevice));
}
