#!/usr/bin/env python3
"""A tiny seeded-random GPT-2 in safetensors, and transformers' forward pass on it.

The oracle is Hugging Face `transformers`' own `GPT2LMHeadModel` (eager attention,
float32, CPU). Nothing here shares code with MechScope's Rust loader or decoder.

What it writes:
- `crates/model/tests/data/gpt2-tiny/config.json` and `model.safetensors`, by
  `save_pretrained(safe_serialization=True)`. The weights are stored in float16 to keep
  the file small (a few tens of KB), as most real checkpoints are stored in 16 bits.
  GPT-2 ties its unembedding to `wte`, so the file has no `lm_head.weight`.
- `crates/model/tests/data/gpt2_tiny_reference.json`, computed by the model that
  `from_pretrained` loads back from that folder in float32 (so the reference sees
  exactly the rounded weights the Rust side reads):
  - `input_ids`: a fixed sequence of 12 ids, including 0 and the last id;
  - `logits`: the full `[seq, vocab]` logits;
  - `residual_norm_mean_over_positions_per_layer`: for h_0 (the output of `wte + wpe`,
    taken at the embedding dropout, a no-op in eval mode) and h_l (the output of block
    l, before `ln_f`), the L2 norm over d_model per position, averaged over positions.
    Taken with forward hooks: in transformers 5.x the last `hidden_states` entry is the
    output of `ln_f`, not of the last block;
  - `layer0_mlp_activation`: the output of `transformer.h[0].mlp.act`, i.e.
    gelu_new(c_fc x + b), at a few positions;
  - `float64`: the same quantities from the same model in float64, and how far the
    float32 reference is from them (the floor any float32 implementation can reach).

The model is randomised so that every parameter matters: weights are drawn with a
larger spread than GPT-2's init (std 0.02 gives near-uniform logits), LayerNorm weights
are drawn around 1 and every bias (LayerNorm, attention, MLP) is made non-zero, where
the init leaves them at 1 and 0. `n_inner` is set to 96 (not 4 * n_embd) so that a
loader ignoring it fails, and the vocabulary (300) is not a multiple of the width.

Run (a few seconds):
    ~/.cache/mechscope/py/bin/python crates/model/tests/reference/make_gpt2_reference.py
Needs: torch, transformers (5.x), safetensors.
"""

import argparse
import json
import platform
import sys
from pathlib import Path

SEED = 20240611
CONFIG = {
    "vocab_size": 300,
    "n_positions": 32,
    "n_embd": 32,
    "n_layer": 2,
    "n_head": 4,
    "n_inner": 96,
    "activation_function": "gelu_new",
    "layer_norm_epsilon": 1e-5,
    "resid_pdrop": 0.0,
    "embd_pdrop": 0.0,
    "attn_pdrop": 0.0,
    "tie_word_embeddings": True,
    "bos_token_id": 0,
    "eos_token_id": 0,
}
INPUT_IDS = [0, 17, 299, 42, 42, 150, 3, 298, 1, 77, 17, 256]
ACTIVATION_POSITIONS = [0, 4, 11]


def randomise(model):
    """Every parameter away from its init, reproducibly (the global seed is set)."""
    import torch

    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".ln_" in name or name.startswith("transformer.ln_f"):
                if name.endswith(".weight"):
                    p.copy_(1.0 + 0.3 * torch.randn_like(p))
                else:
                    p.copy_(0.2 * torch.randn_like(p))
            elif name.endswith(".bias"):
                p.copy_(0.1 * torch.randn_like(p))
            elif name == "transformer.wte.weight":
                p.copy_(0.5 * torch.randn_like(p))
            elif name == "transformer.wpe.weight":
                p.copy_(0.2 * torch.randn_like(p))
            else:
                fan_in = p.shape[0]  # Conv1D stores [in, out]
                p.copy_(torch.randn_like(p) / fan_in**0.5)


class Recorder:
    """h_0 (at the embedding dropout), each block's output, and layer 0's MLP act."""

    def __init__(self, model):
        self.residual = []
        self.activation = None
        t = model.transformer
        self.handles = [t.drop.register_forward_hook(self.on_residual)]
        self.handles += [block.register_forward_hook(self.on_residual) for block in t.h]
        self.handles.append(t.h[0].mlp.act.register_forward_hook(self.on_activation))

    def on_residual(self, _module, _inputs, output):
        h = output[0] if isinstance(output, tuple) else output
        self.residual.append(h.detach())

    def on_activation(self, _module, _inputs, output):
        self.activation = output.detach()

    def remove(self):
        for h in self.handles:
            h.remove()


def run(model, ids):
    import torch

    recorder = Recorder(model)
    try:
        with torch.no_grad():
            logits = model(torch.tensor([ids]), use_cache=False).logits[0]
    finally:
        recorder.remove()
    assert len(recorder.residual) == model.config.n_layer + 1, len(recorder.residual)
    norms = [float(h[0].double().norm(dim=-1).mean()) for h in recorder.residual]
    activation = recorder.activation[0]
    return logits, norms, activation


def main():
    here = Path(__file__).resolve().parent
    data = here.parent / "data"
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model-dir", type=Path, default=data / "gpt2-tiny")
    parser.add_argument("--out", type=Path, default=data / "gpt2_tiny_reference.json")
    args = parser.parse_args()

    import safetensors
    import torch
    import transformers
    from safetensors import safe_open
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)

    config = GPT2Config(**CONFIG)
    model = GPT2LMHeadModel(config)
    randomise(model)
    model = model.half()
    args.model_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(args.model_dir, safe_serialization=True)
    for extra in args.model_dir.iterdir():
        if extra.name not in ("config.json", "model.safetensors"):
            print(f"note: save_pretrained also wrote {extra.name}; removing it", file=sys.stderr)
            extra.unlink()

    with safe_open(args.model_dir / "model.safetensors", "pt") as f:
        stored = sorted(f.keys())
        dtypes = sorted({str(f.get_slice(k).get_dtype()) for k in stored})
    assert "lm_head.weight" not in stored, stored
    assert "transformer.wte.weight" in stored, stored

    # The reference is what transformers makes of the saved folder, in float32.
    model = GPT2LMHeadModel.from_pretrained(
        args.model_dir, dtype=torch.float32, attn_implementation="eager"
    )
    model.eval()
    assert model.lm_head.weight.data_ptr() == model.transformer.wte.weight.data_ptr()
    n_params = sum(p.numel() for p in model.parameters())
    for name, p in model.named_parameters():
        if name.endswith(".bias") or ".ln_" in name or "ln_f" in name:
            assert not torch.all(p == p.flatten()[0]), f"{name} is constant"

    logits, norms, activation = run(model, INPUT_IDS)
    model64 = GPT2LMHeadModel.from_pretrained(
        args.model_dir, dtype=torch.float64, attn_implementation="eager"
    )
    model64.eval()
    logits64, norms64, activation64 = run(model64, INPUT_IDS)

    spread = float(logits.std(dim=-1).mean())
    dl = float((logits.double() - logits64).abs().max())
    dn = max(abs(a - b) / b for a, b in zip(norms, norms64))
    da = float((activation.double() - activation64).abs().max())
    print(f"{n_params} parameters stored as {dtypes}; logit std per row {spread:.3f}; "
          f"norms {[round(n, 4) for n in norms]}; float32 vs float64: |dlogit| {dl:.2e}, "
          f"rel norm {dn:.2e}, |dact| {da:.2e}", file=sys.stderr)

    result = {
        "fixture": "gpt2_tiny_reference",
        "generated_by": "crates/model/tests/reference/make_gpt2_reference.py",
        "reference": "transformers GPT2LMHeadModel.from_pretrained(gpt2-tiny) in float32, "
                     "CPU, eager attention; the same in float64 for scale",
        "software": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "safetensors": safetensors.__version__,
        },
        "seed": SEED,
        "config": CONFIG,
        "stored_tensors": stored,
        "stored_dtypes": dtypes,
        "conventions": {
            "h_l": "l=0: wte[ids] + wpe[positions] (output of transformer.drop); l=1..L: "
                   "output of block l, before ln_f (forward hooks)",
            "residual_norm": "L2 norm over d_model per position, mean over positions",
            "logits": "[seq][vocab], every position",
            "layer0_mlp_activation": "output of transformer.h[0].mlp.act = "
                                     "gelu_new(c_fc(ln_2(h)) ), [d_ff] per listed position",
        },
        "input_ids": INPUT_IDS,
        "logits": logits.tolist(),
        "residual_norm_mean_over_positions_per_layer": norms,
        "layer0_mlp_activation": {
            "positions": ACTIVATION_POSITIONS,
            "values": [activation[p].tolist() for p in ACTIVATION_POSITIONS],
        },
        "float64": {
            "residual_norm_mean_over_positions_per_layer": norms64,
            "float32_vs_float64": {
                "max_abs_logit_diff": dl,
                "max_rel_norm_diff": dn,
                "max_abs_activation_diff": da,
            },
        },
    }
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.model_dir} and {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
