#!/usr/bin/env python3
"""Weights between PyTorch and lossc, both ways (float64), with tools/torch_net.loss (an LSTM and
two Linear layers whose params carry their state-dict names):

1. An nn.Module is trained a few steps in PyTorch, its state_dict() saved as safetensors and as
   .npz; `lossc eval --params … --outputs-only` on each gives the module's outputs to 1e-12.
2. `lossc train --out lossc.safetensors` trains the same network; the file is loaded into the
   module with load_state_dict(strict=True), and the module gives lossc's outputs to 1e-12.

The safetensors files are written and read here with the format's few lines (8-byte little-endian
header length, JSON header, raw data), so only python3-torch and NumPy are needed; with the
safetensors package, `safetensors.torch.save_file(model.state_dict(), "model.safetensors")` writes
the same file. Exits 1 on any difference above 1e-12."""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "tools", "torch_net.loss")
T, D, H, K1, K = 5, 3, 4, 6, 3
TOLERANCE = 1e-12


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(D, H)
        self.fc1 = torch.nn.Linear(H, K1)
        self.fc2 = torch.nn.Linear(K1, K)

    def forward(self, xs):
        _, (h, _) = self.lstm(xs.unsqueeze(1))
        return self.fc2(torch.tanh(self.fc1(h[-1, 0])))


def save_safetensors(tensors, path):
    """What safetensors.torch.save_file writes: header length, JSON header (padded to 8), data."""
    header, data, offset = {}, b"", 0
    for name, t in tensors.items():
        raw = t.detach().contiguous().numpy().astype("<f8").tobytes()
        header[name] = {"dtype": "F64", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def load_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, d in header.items():
        if name == "__metadata__":
            continue
        assert d["dtype"] == "F64", d
        begin, end = d["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(raw[8 + n + begin:8 + n + end], dtype="<f8").reshape(d["shape"]).copy())
    return out


def lossc(*args):
    return subprocess.run([os.path.join(ROOT, "lossc"), *args], capture_output=True, text=True, check=True).stdout


def difference(a, b):
    a, b = torch.tensor(a), torch.as_tensor(b)
    return ((a - b).abs().max() / max(1.0, b.abs().max().item())).item()


failures = []
g = torch.Generator().manual_seed(7)
sequences = torch.randn(12, T, D, generator=g)
labels = torch.randint(0, K, (12,), generator=g)
work = tempfile.mkdtemp(prefix="lossc-weights-")


def values_file(i, path):
    row = {"xs": sequences[i].tolist(), "h0": [0.0] * H, "c0": [0.0] * H, "label": int(labels[i])}
    with open(path, "w") as f:
        json.dump(row, f)


# 1. PyTorch → lossc.
torch.manual_seed(3)
net = Net()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for step in range(5):
    opt.zero_grad()
    loss = sum(torch.nn.functional.cross_entropy(net(sequences[i]).unsqueeze(0), labels[i:i + 1]) for i in range(12)) / 12
    loss.backward()
    opt.step()
st = os.path.join(work, "torch.safetensors")
npz = os.path.join(work, "torch.npz")
save_safetensors(net.state_dict(), st)
np.savez(npz, **{k: v.numpy() for k, v in net.state_dict().items()})
worst = 0.0
for i in range(3):
    values = os.path.join(work, f"row{i}.json")
    values_file(i, values)
    with torch.no_grad():
        expected = net(sequences[i])
    for params in (st, npz):
        got = json.loads(lossc("eval", MODEL, "--values", values, "--params", params, "--outputs-only"))["outputs"]["scores"]
        worst = max(worst, difference(got, expected))
print(f"PyTorch state dict → lossc (safetensors and npz): outputs agree to {worst:.1e}")
if not worst <= TOLERANCE:
    failures.append("torch → lossc")

# 2. lossc → PyTorch.
csv = os.path.join(work, "train.csv")
with open(csv, "w") as f:
    columns = [f"xs[{t}][{d}]" for t in range(T) for d in range(D)] + [f"h0[{j}]" for j in range(H)] + [f"c0[{j}]" for j in range(H)] + ["label"]
    f.write(",".join(columns) + "\n")
    for i in range(12):
        cells = [repr(float(x)) for x in sequences[i].flatten()] + ["0"] * (2 * H) + [str(int(labels[i]))]
        f.write(",".join(cells) + "\n")
trained = os.path.join(work, "lossc.safetensors")
lossc("train", MODEL, "--data", csv, "--epochs", "4", "--batch", "4", "--optimizer", "adam", "--lr", "0.05", "--out", trained)
back = Net()
back.load_state_dict(load_safetensors(trained), strict=True)
worst = 0.0
for i in range(3):
    values = os.path.join(work, f"row{i}.json")
    got = json.loads(lossc("eval", MODEL, "--values", values, "--params", trained, "--outputs-only"))["outputs"]["scores"]
    with torch.no_grad():
        worst = max(worst, difference(got, back(sequences[i])))
print(f"lossc train --out lossc.safetensors → PyTorch load_state_dict: outputs agree to {worst:.1e}")
if not worst <= TOLERANCE:
    failures.append("lossc → torch")

if failures:
    print("FAILED:", ", ".join(failures))
    sys.exit(1)
print("weights move both ways")
