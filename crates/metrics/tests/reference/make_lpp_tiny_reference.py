#!/usr/bin/env python3
"""Independent reference for LPP's latent metrics (metrics.md §3) on the tiny GPT-2.

The Rust test (crates/metrics/tests/lpp_tiny.rs) runs `latent_metrics` natively, in the
browser on the CPU backend and on WebGPU, and compares with the numbers written here.
The oracle is Hugging Face `transformers` `GPT2LMHeadModel` in float32, eager attention,
eval mode; the post-processing is float64 PyTorch written from the definitions, nothing
shared with Rust.

Inputs: 3 sequences of 32 token ids (the model's full context) drawn from
`random.Random(2026)` over 0..300, stored in the JSON.

- h_l: l = 0 the embedding output (token + position), l = 1..L each block's output
  (`output_hidden_states` without the final ln_f, which HF applies to the last one: the
  last block's output is taken from a forward hook instead).
- output_entropy: mean over all 96 positions of H(softmax(logits)) / ln V.
- logit_lens_entropy[l]: the same for lm_head(ln_f(h_l)).
- layer_drift[l]: 1 - mean_t cos(h_l, h_{l+1}).
- hidden_norm[l]: mean_t ||h_l|| / sqrt(d).
- anisotropy[l]: mean cosine over all distinct pairs of the 96 positions, from the
  explicit Gram matrix of unit vectors (not the ||sum u||^2 identity Rust uses).
- effective_rank[l]: exp(entropy of s / sum s), s the singular values of h_l minus its
  column means (torch.linalg.svdvals on all 96 pooled positions; Rust uses the
  eigenvalues of a streamed scatter matrix).
- massive_activation_ratio[l]: max |h_l| / the element at index n // 2 of sorted |h_l|.
- nll: mean next-token cross-entropy within each sequence (3 x 31 predictions);
  perplexity = exp(nll).

Run (a second on CPU):
    ~/.cache/mechscope/py/bin/python crates/metrics/tests/reference/make_lpp_tiny_reference.py
Writes crates/metrics/tests/data/lpp_tiny_reference.json.
"""

import json
import math
import platform
import random
from pathlib import Path

import torch
import transformers
from transformers import GPT2LMHeadModel

HERE = Path(__file__).resolve().parent
MODEL_DIR = HERE.parents[2] / "model/tests/data/gpt2-tiny"
OUT = HERE.parent / "data/lpp_tiny_reference.json"
N_SEQ, SEQ_LEN = 3, 32


def entropy_norm(logits):
    logp = torch.log_softmax(logits.double(), dim=-1)
    return -(logp.exp() * logp).sum(-1) / math.log(logits.shape[-1])


def main():
    rng = random.Random(2026)
    seqs = [[rng.randrange(300) for _ in range(SEQ_LEN)] for _ in range(N_SEQ)]
    model = GPT2LMHeadModel.from_pretrained(MODEL_DIR, dtype=torch.float32, attn_implementation="eager")
    model.eval()
    L = model.config.n_layer
    V = model.config.vocab_size

    hidden = []  # per sequence [L+1, T, d]
    out_ent, lens_ent, nll_terms = [], [[] for _ in range(L + 1)], []
    for seq in seqs:
        captured = {}
        hooks = [model.transformer.h[i].register_forward_hook(
            lambda m, i_, o, i=i: captured.__setitem__(i + 1, (o[0] if isinstance(o, tuple) else o)[0].detach()))
            for i in range(L)]
        with torch.no_grad():
            out = model(input_ids=torch.tensor([seq]), output_hidden_states=True)
        for h in hooks:
            h.remove()
        captured[0] = out.hidden_states[0][0]
        H = torch.stack([captured[l] for l in range(L + 1)])
        hidden.append(H)
        out_ent.append(entropy_norm(out.logits[0]))
        with torch.no_grad():
            for l in range(L + 1):
                lens_ent[l].append(entropy_norm(model.lm_head(model.transformer.ln_f(H[l]))))
        logp = torch.log_softmax(out.logits[0].double(), dim=-1)
        nll_terms.append(-logp[:-1].gather(1, torch.tensor(seq[1:]).unsqueeze(1)).squeeze(1))

    X = torch.cat(hidden, dim=1).double()  # [L+1, n, d]
    _, n, d = X.shape
    norms = X.norm(dim=-1)
    U = X / norms.unsqueeze(-1)
    anisotropy = []
    erank = []
    massive = []
    for l in range(L + 1):
        G = U[l] @ U[l].T
        anisotropy.append(float((G.sum() - G.diagonal().sum()) / (n * (n - 1))))
        Xc = X[l] - X[l].mean(dim=0, keepdim=True)
        s = torch.linalg.svdvals(Xc)
        p = s / s.sum()
        p = p[p > 0]
        erank.append(math.exp(float(-(p * p.log()).sum())))
        mags = X[l].abs().flatten().sort().values
        massive.append(float(mags[-1] / mags[mags.numel() // 2]))
    nll = float(torch.cat(nll_terms).mean())
    result = {
        "output_entropy": float(torch.cat(out_ent).mean()),
        "logit_lens_entropy": [float(torch.cat(v).mean()) for v in lens_ent],
        "layer_drift": (1 - (U[:-1] * U[1:]).sum(-1).mean(dim=1)).tolist(),
        "hidden_norm": (norms.mean(dim=1) / math.sqrt(d)).tolist(),
        "anisotropy": anisotropy,
        "effective_rank": erank,
        "massive_activation_ratio": massive,
        "nll": nll,
        "perplexity": math.exp(nll),
        "n_positions": n,
        "n_predictions": sum(len(s) - 1 for s in seqs),
    }
    OUT.write_text(json.dumps({
        "about": "LPP latent metrics on the tiny GPT-2; see make_lpp_tiny_reference.py",
        "software": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "python": platform.python_version()},
        "input_ids": seqs,
        "results": result,
    }, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
