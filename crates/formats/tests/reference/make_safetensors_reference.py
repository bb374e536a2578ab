"""Writes the safetensors reference files for crates/formats/tests/safetensors_reference.rs.

An independent writer (Hugging Face's `safetensors` package, whose Rust core is not
ours) produces, in crates/formats/tests/data/:

- reference.safetensors: F32, F16 and BF16 tensors, an I64 one, and `__metadata__`;
- sharded/model-0000N-of-00002.safetensors + sharded/model.safetensors.index.json:
  a sharded checkpoint laid out as transformers writes one;
- safetensors_reference.json: every tensor's dtype, shape, raw bytes (hex) and values,
  computed here with numpy, for the Rust test to compare against.

numpy has no bfloat16, so BF16 tensors are made by rounding float32 to nearest-even in
the upper 16 bits and handed to the writer as raw uint16 bytes labelled "bfloat16".

Run (from the repository root), with pinned versions:
    python3 -m venv ~/.cache/mechscope/py
    ~/.cache/mechscope/py/bin/pip install safetensors==0.8.0 numpy==2.4.6
    ~/.cache/mechscope/py/bin/python crates/formats/tests/reference/make_safetensors_reference.py
"""

import json
import pathlib

import numpy as np
import safetensors
from safetensors import TensorSpec

DATA_DIR = pathlib.Path(__file__).resolve().parent.parent / "data"
SHARD_DIR = DATA_DIR / "sharded"

# numpy dtype name the writer accepts, and the header dtype it writes.
WRITER_DTYPES = {
    "F32": "float32",
    "F16": "float16",
    "BF16": "bfloat16",
    "I64": "int64",
}


def to_bf16_bits(values: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 bit patterns (uint16), rounding to nearest, ties to even."""
    bits = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = bits + 0x7FFF + ((bits >> 16) & 1)
    return (rounded >> 16).astype(np.uint16)


def bf16_bits_to_f32(bits: np.ndarray) -> np.ndarray:
    return (bits.astype(np.uint32) << 16).view(np.float32)


def tensor(dtype: str, values) -> dict:
    """A tensor to write: its storage array (little-endian) and the f32 values it holds."""
    values = np.asarray(values, dtype=np.float64)
    if dtype == "F32":
        storage = values.astype("<f4")
        as_f32 = storage.astype(np.float32)
    elif dtype == "F16":
        storage = values.astype("<f2")
        as_f32 = storage.astype(np.float32)
    elif dtype == "BF16":
        storage = to_bf16_bits(values.astype(np.float32)).astype("<u2")
        as_f32 = bf16_bits_to_f32(storage)
    elif dtype == "I64":
        storage = values.astype("<i8")
        as_f32 = None
    else:
        raise ValueError(dtype)
    storage = np.ascontiguousarray(storage)
    return {"dtype": dtype, "storage": storage, "as_f32": as_f32}


def write(path: pathlib.Path, tensors: dict, metadata=None) -> None:
    specs = {
        name: TensorSpec(
            dtype=WRITER_DTYPES[t["dtype"]],
            shape=list(t["storage"].shape),
            data_ptr=t["storage"].ctypes.data,
            data_len=t["storage"].nbytes,
        )
        for name, t in tensors.items()
    }
    # `tensors` keeps every storage array alive while the writer reads its pointer.
    safetensors.serialize_file(specs, str(path), metadata=metadata)


def check_round_trip(path: pathlib.Path, tensors: dict) -> None:
    """The writer's own reader must give back the bytes we handed it."""
    read_back = dict(safetensors.deserialize(path.read_bytes()))
    assert read_back.keys() == tensors.keys(), (read_back.keys(), tensors.keys())
    for name, t in tensors.items():
        got = read_back[name]
        assert got["dtype"] == t["dtype"], (name, got["dtype"])
        assert list(got["shape"]) == list(t["storage"].shape), name
        assert bytes(got["data"]) == t["storage"].tobytes(), name


def describe(tensors: dict) -> dict:
    out = {}
    for name, t in tensors.items():
        entry = {
            "dtype": t["dtype"],
            "shape": list(t["storage"].shape),
            "bytes_hex": t["storage"].tobytes().hex(),
        }
        if t["as_f32"] is not None:
            # float(np.float32) is exact in a double, and JSON keeps doubles exactly.
            entry["values"] = [float(v) for v in t["as_f32"].reshape(-1)]
        else:
            entry["integers"] = [int(v) for v in t["storage"].reshape(-1)]
        out[name] = entry
    return out


def main() -> None:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    SHARD_DIR.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261122)

    single = {
        "model.embed_tokens.weight": tensor("F32", rng.standard_normal((5, 4))),
        # Edge values for half precision: largest normal, smallest subnormal, -0,
        # and values that must round (1/3, 0.1).
        "model.layers.0.mlp.up_proj.weight": tensor(
            "F16",
            np.concatenate(
                [[65504.0, 2.0**-24, -0.0, 1.0 / 3.0, 0.1, -1.5], rng.standard_normal(6)]
            ).reshape(3, 4),
        ),
        "model.layers.0.mlp.down_proj.weight": tensor(
            "BF16",
            np.concatenate(
                [[3.0e38, -1.0e-38, -0.0, 1.0 / 3.0, 0.1, 100.5], rng.standard_normal(6)]
            ).reshape(4, 3),
        ),
        "model.norm.weight": tensor("F32", [1.0, 0.5, -0.25, 2.0]),
        "position_ids": tensor("I64", [[0, 1, 2, -7]]),
    }
    single_metadata = {"format": "pt", "written_by": "make_safetensors_reference.py"}
    single_path = DATA_DIR / "reference.safetensors"
    write(single_path, single, single_metadata)
    check_round_trip(single_path, single)

    shards = {
        "model-00001-of-00002.safetensors": {
            "model.embed_tokens.weight": tensor("BF16", rng.standard_normal((3, 4))),
            "model.layers.0.self_attn.q_proj.weight": tensor("F16", rng.standard_normal((4, 4))),
        },
        "model-00002-of-00002.safetensors": {
            "model.layers.1.self_attn.q_proj.weight": tensor("F32", rng.standard_normal((4, 4))),
            "model.norm.weight": tensor("F32", rng.standard_normal(4)),
        },
    }
    weight_map = {}
    total_size = 0
    for shard_name, shard_tensors in shards.items():
        path = SHARD_DIR / shard_name
        write(path, shard_tensors, {"format": "pt"})
        check_round_trip(path, shard_tensors)
        for name, t in shard_tensors.items():
            weight_map[name] = shard_name
            total_size += t["storage"].nbytes
    index = {"metadata": {"total_size": total_size}, "weight_map": dict(sorted(weight_map.items()))}
    (SHARD_DIR / "model.safetensors.index.json").write_text(json.dumps(index, indent=2) + "\n")

    reference = {
        "generator": {"safetensors": safetensors.__version__, "numpy": np.__version__},
        "files": {
            "reference.safetensors": {
                "metadata": single_metadata,
                "tensors": describe(single),
            },
            **{
                f"sharded/{shard_name}": {"metadata": {"format": "pt"}, "tensors": describe(t)}
                for shard_name, t in shards.items()
            },
        },
        "index": {
            "path": "sharded/model.safetensors.index.json",
            "total_size": total_size,
            "weight_map": index["weight_map"],
        },
    }
    (DATA_DIR / "safetensors_reference.json").write_text(json.dumps(reference, indent=1) + "\n")

    written = [single_path, DATA_DIR / "safetensors_reference.json", *SHARD_DIR.iterdir()]
    print(f"wrote {len(written)} files, {sum(p.stat().st_size for p in written)} bytes in all")


if __name__ == "__main__":
    main()
