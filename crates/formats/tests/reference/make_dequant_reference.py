#!/usr/bin/env python3
"""Writes crates/formats/tests/data/dequant_reference.json, the independent reference
that crates/formats/tests/dequant_reference.rs checks MechScope's dequantisation against.

The expected values come from gguf-py (llama.cpp's own Python package, a numpy port of
ggml's reference `dequantize_row_*`), not from our Rust code, so a misreading of a block
layout shows up as a mismatch instead of being baked into the fixture.

Usage, from the repository root (gguf-py is pinned: its dequantisers are the reference):

    python3 -m venv ~/.cache/mechscope/py
    ~/.cache/mechscope/py/bin/pip install gguf==0.19.0 numpy
    ~/.cache/mechscope/py/bin/python crates/formats/tests/reference/make_dequant_reference.py

Each case is a few blocks of seeded random bytes, plus one block of all-ones and one of
all-zeros quant bits (so every bit field takes its extreme values). Random bytes in an
f16 scale field can decode to NaN, infinity or a huge number, which would make every
value in the block NaN/inf and test nothing, so those fields are overwritten with small
finite f16 scales. Data and expected values are stored as hex of their little-endian
bytes: f32 bit patterns, so the Rust test can compare bit for bit and JSON never has to
represent NaN or lose a digit.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np

import gguf
from gguf import GGMLQuantizationType as T
from gguf.quants import dequantize

GGUF_VERSION = "0.19.0"
OUT = Path(__file__).resolve().parent.parent / "data" / "dequant_reference.json"

# type -> (block elements, block bytes, byte offsets of f16 scale fields). The sizes are
# ggml's; they are checked against gguf-py's table below.
QUANT_LAYOUTS: dict[T, tuple[int, int, list[int]]] = {
    T.Q4_0: (32, 18, [0]),
    T.Q4_1: (32, 20, [0, 2]),
    T.Q5_0: (32, 22, [0]),
    T.Q5_1: (32, 24, [0, 2]),
    T.Q8_0: (32, 34, [0]),
    T.Q2_K: (256, 84, [80, 82]),
    T.Q3_K: (256, 110, [108]),
    T.Q4_K: (256, 144, [0, 2]),
    T.Q5_K: (256, 176, [0, 2]),
    T.Q6_K: (256, 210, [208]),
}

RANDOM_BLOCKS = 3  # plus one all-ones and one all-zeros block


def sane_f16_scales(rng: np.random.Generator, n: int) -> np.ndarray:
    """Finite f16 scales of either sign spanning a few decades, as real models have."""
    magnitude = 10.0 ** rng.uniform(-4, 0, n)
    sign = rng.choice([-1.0, 1.0], n)
    return (magnitude * sign).astype(np.float16)


def quant_blocks(rng: np.random.Generator, ty: T) -> np.ndarray:
    _, block_bytes, scale_offsets = QUANT_LAYOUTS[ty]
    blocks = rng.integers(0, 256, size=(RANDOM_BLOCKS + 2, block_bytes), dtype=np.uint8)
    blocks[RANDOM_BLOCKS] = 0xFF
    blocks[RANDOM_BLOCKS + 1] = 0x00
    for offset in scale_offsets:
        scales = sane_f16_scales(rng, len(blocks))
        blocks[:, offset : offset + 2] = scales.view(np.uint8).reshape(-1, 2)
    return blocks.reshape(-1)


def q8_k_blocks(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Q8_K (`d: f32, qs: [i8; 256], bsums: [i16; 16]`) and its values.

    gguf-py 0.19.0 has no Q8_K dequantiser (ggml uses Q8_K only for activations), so the
    expected values are computed here with numpy, straight from ggml's
    `dequantize_row_q8_K`: `y = d * q`. bsums are left random: they must not matter.
    """
    n_blocks = RANDOM_BLOCKS
    blocks = rng.integers(0, 256, size=(n_blocks, 292), dtype=np.uint8)
    d = (10.0 ** rng.uniform(-4, 0, n_blocks)).astype("<f4")
    blocks[:, 0:4] = d.view(np.uint8).reshape(-1, 4)
    qs = blocks[:, 4:260].view(np.int8).astype(np.float32)
    values = (d.reshape(-1, 1) * qs).astype(np.float32)
    return blocks.reshape(-1), values.reshape(-1)


def plain_values(rng: np.random.Generator, ty: T) -> tuple[np.ndarray, np.ndarray, str]:
    """Data and expected values for the unblocked types, and where the values came from."""
    n = 64
    if ty in (T.F16, T.BF16):
        bits = rng.integers(0, 1 << 16, size=n, dtype=np.uint16)
        exponent = 0x7C00 if ty == T.F16 else 0x7F80
        mantissa = 0x03FF if ty == T.F16 else 0x007F
        is_nan = ((bits & exponent) == exponent) & ((bits & mantissa) != 0)
        bits[is_nan] &= ~np.uint16(mantissa)  # NaN payloads are not portable: make them inf
        bits[:4] = [0x0000, 0x8000, 0x0001, 0x8001]  # +-0 and the smallest subnormals
        data = bits.astype("<u2").view(np.uint8)
        return data, dequantize(data, ty), "gguf.quants.dequantize"
    if ty == T.F32:
        values = rng.standard_normal(n).astype("<f4")
        data = values.view(np.uint8)
        return data, dequantize(data, ty), "gguf.quants.dequantize"
    # gguf-py has no dequantiser for these; numpy's cast rounds to nearest like C's.
    if ty == T.F64:
        raw = (rng.standard_normal(n) * 10.0 ** rng.uniform(-30, 30, n)).astype("<f8")
    elif ty == T.I8:
        raw = rng.integers(-128, 128, size=n, dtype=np.int64).astype("<i1")
    elif ty == T.I16:
        raw = rng.integers(-(1 << 15), 1 << 15, size=n, dtype=np.int64).astype("<i2")
    elif ty == T.I32:
        raw = rng.integers(-(1 << 31), 1 << 31, size=n, dtype=np.int64).astype("<i4")
    elif ty == T.I64:
        raw = rng.integers(-(1 << 63), (1 << 63) - 1, size=n, dtype=np.int64).astype("<i8")
    else:
        raise ValueError(ty)
    return raw.view(np.uint8), raw.astype(np.float32), "numpy astype(float32)"


def main() -> None:
    if version("gguf") != GGUF_VERSION:
        sys.exit(f"need gguf=={GGUF_VERSION}, found {version('gguf')}")

    cases = []
    plain = [T.F32, T.F16, T.BF16, T.F64, T.I8, T.I16, T.I32, T.I64]
    for ty in plain + list(QUANT_LAYOUTS) + [T.Q8_K]:
        rng = np.random.default_rng(20_250_601 + int(ty))
        if ty in QUANT_LAYOUTS:
            block_elements, block_bytes, _ = QUANT_LAYOUTS[ty]
            assert gguf.GGML_QUANT_SIZES[ty] == (block_elements, block_bytes), ty
            data = quant_blocks(rng, ty)
            expected = dequantize(data, ty)
            source = "gguf.quants.dequantize"
        elif ty == T.Q8_K:
            data, expected = q8_k_blocks(rng)
            source = "numpy, from ggml's dequantize_row_q8_K (gguf-py has no Q8_K)"
        else:
            data, expected, source = plain_values(rng, ty)
        expected = np.asarray(expected, dtype=np.float32).reshape(-1)
        if ty != T.F16 and ty != T.BF16:
            assert np.isfinite(expected).all(), ty
        cases.append(
            {
                "type": ty.name,
                "reference": source,
                "n_elements": int(expected.size),
                "data_hex": data.tobytes().hex(),
                "expected_f32_le_hex": expected.astype("<f4").tobytes().hex(),
            }
        )

    document = {
        "about": "Expected f32 values for MechScope's GGUF dequantisation; written by "
        "crates/formats/tests/reference/make_dequant_reference.py, do not edit by hand.",
        "gguf_py_version": GGUF_VERSION,
        "numpy_version": np.__version__,
        "cases": cases,
    }
    OUT.write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {len(cases)} cases, {OUT.stat().st_size} bytes, to {OUT}")


if __name__ == "__main__":
    main()
