# The safetensors writer the fixture generators share (the `safetensors` package is not installed here):
# an 8-byte little-endian header length, the JSON header padded with spaces to 8 bytes, then the raw data.
import json
import struct

import torch

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}


def write_safetensors(path, named, meta):
    """Writes the tensors of `named` (name -> tensor, in order) and the string map `meta` to `path`."""
    header = {"__metadata__": meta}
    blobs = []
    offset = 0
    for name, t in named.items():
        raw = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)
