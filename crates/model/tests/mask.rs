//! Weight masks on the demo model: the entries a mask names are the ones zeroed (checked
//! against the checkpoint's own `[out, in]` values, read independently from the GGUF),
//! the model's output changes, nothing else moves, and restoring gives back
//! bit-identical logits — all without reloading.

use burn::tensor::Device;
use mechscope_formats::gguf;
use mechscope_model::generate::read_f32;
use mechscope_model::mask::MaskError;
use mechscope_model::weights::{GgufWeights, WeightSource};
use mechscope_model::{LoadedModel, Logits, MlpMatrix, Trace, WeightMask};

fn logits(model: &LoadedModel, ids: &[u32]) -> Vec<f32> {
    let trace = Trace {
        logits: Logits::All,
        ..Trace::default()
    };
    let out = model
        .decoder
        .forward(model.decoder.ids_tensor(ids, 1), trace, None);
    pollster::block_on(read_f32(out.logits.expect("asked for logits"))).unwrap()
}

fn stored_matrix(model: &LoadedModel, layer: usize, matrix: MlpMatrix) -> Vec<f32> {
    let mlp = &model.decoder.blocks[layer].mlp;
    let param = match matrix {
        MlpMatrix::Gate => mlp.gate.as_ref().unwrap(),
        MlpMatrix::Up => &mlp.up,
        MlpMatrix::Down => &mlp.down,
    };
    pollster::block_on(read_f32(param.val())).unwrap()
}

#[test]
fn masks_zero_the_named_entries_and_restore_exactly() {
    let Some(file) = mechscope_testkit::demo_model() else {
        return;
    };
    let mut model = LoadedModel::from_gguf(&file, &Device::flex()).expect("demo model loads");
    let (d, f) = (model.config.d_model, model.config.d_ff);
    let ids = [504, 3575, 282, 4649, 314]; // "The capital of France is"
    let before = logits(&model, &ids);

    // Entries spread over matrices and layers, addressed in the [out, in] layout.
    let picks: Vec<(usize, MlpMatrix, u64)> = vec![
        (0, MlpMatrix::Gate, 0),
        (0, MlpMatrix::Gate, (f * d - 1) as u64),
        (3, MlpMatrix::Up, 12_345),
        (3, MlpMatrix::Down, 7 * f as u64 + 1000), // row 7 (output 7), column 1000 (neuron)
        (29, MlpMatrix::Down, 99_999),
    ];
    let mut mask = WeightMask::default();
    for &(layer, matrix, index) in &picks {
        mask.insert(layer, matrix, index);
    }
    // The strongest neurons of the last layers: zero a whole row of down_proj so the
    // effect on the logits is visible, not only a rounding-level change.
    for c in 0..f as u64 {
        mask.insert(29, MlpMatrix::Down, 3 * f as u64 + c);
    }
    assert_eq!(mask.len(), picks.len() + f);

    // The checkpoint's own values, read from the GGUF in PyTorch's [out, in] layout.
    let header = gguf::parse_file(&file).unwrap();
    let weights = GgufWeights::new(&header, &file, &model.config);
    let name = |layer: usize, m: MlpMatrix| {
        let m = match m {
            MlpMatrix::Gate => "gate_proj",
            MlpMatrix::Up => "up_proj",
            MlpMatrix::Down => "down_proj",
        };
        format!("model.layers.{layer}.mlp.{m}.weight")
    };
    let untouched_before = stored_matrix(&model, 5, MlpMatrix::Up);

    let applied = model.decoder.apply_mask(&mask).expect("the mask fits");
    let originals = pollster::block_on(applied.originals()).unwrap();
    let mut expected = Vec::new();
    for (layer, matrix, indices) in mask.groups() {
        let host = weights.load(&name(layer, matrix)).unwrap();
        expected.extend(indices.iter().map(|&i| host.data[i as usize]));
    }
    assert_eq!(
        originals, expected,
        "the mask zeroed other entries than named"
    );
    assert!(originals.iter().any(|&v| v != 0.0));

    // Zeroed where named, and only there.
    for (layer, matrix, indices) in mask.groups() {
        let stored = stored_matrix(&model, layer, matrix);
        let host = weights.load(&name(layer, matrix)).unwrap();
        let [out, inp] = matrix.shape(d, f);
        for r in 0..out {
            for c in 0..inp {
                let hf = (r * inp + c) as u64;
                let got = stored[c * out + r];
                if indices.contains(&hf) {
                    assert_eq!(got, 0.0, "layer {layer} {matrix:?} [{r}, {c}] not zeroed");
                } else {
                    assert_eq!(
                        got, host.data[hf as usize],
                        "layer {layer} {matrix:?} [{r}, {c}] moved"
                    );
                }
            }
        }
    }
    assert_eq!(stored_matrix(&model, 5, MlpMatrix::Up), untouched_before);

    let ablated = logits(&model, &ids);
    let changed = before
        .iter()
        .zip(&ablated)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert!(
        changed > 1e-3,
        "ablating a down_proj row changed the logits by only {changed}"
    );

    model.decoder.restore(applied);
    assert_eq!(logits(&model, &ids), before, "restoring is not exact");
}

#[test]
fn masks_that_do_not_fit_are_refused_and_change_nothing() {
    let Some(file) = mechscope_testkit::demo_model() else {
        return;
    };
    let mut model = LoadedModel::from_gguf(&file, &Device::flex()).expect("demo model loads");
    let (d, f) = (model.config.d_model, model.config.d_ff);
    let before = stored_matrix(&model, 0, MlpMatrix::Gate);

    let mut mask = WeightMask::default();
    mask.insert(0, MlpMatrix::Gate, 1);
    mask.insert(30, MlpMatrix::Up, 0);
    let err = model.decoder.apply_mask(&mask).unwrap_err();
    assert_eq!(
        err,
        MaskError::NoSuchLayer {
            layer: 30,
            n_layers: 30
        }
    );
    assert!(err.to_string().contains("30 layers"), "{err}");

    let mut mask = WeightMask::default();
    mask.insert(0, MlpMatrix::Gate, 1);
    mask.insert(1, MlpMatrix::Down, (d * f) as u64);
    let err = model.decoder.apply_mask(&mask).unwrap_err();
    assert!(
        matches!(err, MaskError::OutOfRange { layer: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("576×1536"), "{err}");

    assert_eq!(
        stored_matrix(&model, 0, MlpMatrix::Gate),
        before,
        "a refused mask changed weights"
    );
}
