"""rtgs2 training: scene encoder (PTv3-lite, self-supervised) and its ONNX export."""
