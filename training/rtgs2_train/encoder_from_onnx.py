"""The encoder's PyTorch weights read back from an exported `encoder.onnx` (fp16 initializers).

The checkpoint of the shipped encoder was lost with the machine that trained it; the ONNX file
keeps every weight, so a new run can start from it (`train_encoder --init-from
models/encoder.onnx`). Initializers are named after the module path (`model.<key>_fp16`),
except the attention qkv weights, which the exporter folded into anonymous transposed MatMul
constants: those are found through the MatMul that reads them, whose node path names the
layer (`/model/enc.0.0/attn/qkv/MatMul`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch


def onnx_state_dict(path: Path) -> dict[str, np.ndarray]:
    """Every weight of the exported encoder under its PyTorch state-dict key, as float32."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    cast_of = {n.output[0]: n.input[0] for n in graph.node if n.op_type == "Cast"}
    state: dict[str, np.ndarray] = {}
    for name, value in inits.items():
        if name.startswith("model."):
            state[name.removeprefix("model.").removesuffix("_fp16")] = value.astype(np.float32)
    for node in graph.node:
        if node.op_type != "MatMul" or "/qkv/" not in node.output[0]:
            continue
        weight = cast_of.get(node.input[1], node.input[1])
        if weight not in inits or weight.startswith("model."):
            continue
        layer = node.output[0].removeprefix("/model/").split("/qkv/")[0].replace("/", ".")
        state[f"{layer}.qkv.weight"] = inits[weight].astype(np.float32).T.copy()
    return state


def load_into(model: torch.nn.Module, path: Path) -> None:
    """Load `path`'s weights into `model`; every tensor must be found, with its shape."""
    state = onnx_state_dict(path)
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    if missing:
        raise ValueError(f"{path}: no weight for {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")
    for k, v in own.items():
        if tuple(state[k].shape) != tuple(v.shape):
            raise ValueError(f"{path}: {k} is {state[k].shape}, the network's {tuple(v.shape)}")
    model.load_state_dict({k: torch.from_numpy(state[k]).to(v.dtype) for k, v in own.items()})
