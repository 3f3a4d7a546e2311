#!/usr/bin/env python3
"""Loads a gen DCGAN checkpoint into PyTorch modules written as ../shared/bench/torch_anchor.py's
dcgan, with load_state_dict(strict=True), and prints what the generator and discriminator make of
the codes in an optional .npy file (float32, N x 64), for comparison with gen's own output.

    python3 Scripts/load-in-pytorch.py CHECKPOINT.safetensors [codes.npy]

Needs torch and safetensors (not gen's dependencies). gen names tensors by the Swift model's
properties (generator.layers.3.weight) and fuses each activation into the layer before it, so
its layer indices skip PyTorch's activation modules: the table below maps one onto the other.
"""
import json, sys
import numpy as np, torch, torch.nn as nn
from safetensors.torch import load_file


class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.view(-1, *self.shape)


def batch_norm(ours, theirs):
    return {f"{ours}.weight": f"{theirs}.weight", f"{ours}.bias": f"{theirs}.bias",
            f"{ours}.runningMean": f"{theirs}.running_mean", f"{ours}.runningVariance": f"{theirs}.running_var"}


def dense(ours, theirs):
    return {f"{ours}.weight": f"{theirs}.weight", f"{ours}.bias": f"{theirs}.bias"}


G = nn.Sequential(nn.Linear(64, 128 * 7 * 7), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU(), Reshape(128, 7, 7),
                  nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(), nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())
D = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
                  nn.Flatten(), nn.Linear(128 * 7 * 7, 1))
# gen: generator Dense, BatchNorm(relu), Reshape, TConv, BatchNorm(relu), TConv(tanh), Flatten;
#      discriminator Reshape, Conv(leakyReLU), Conv, BatchNorm(leakyReLU), Flatten, Dense.
NAMES = {G: {**dense("generator.layers.0", "0"), **batch_norm("generator.layers.1", "1"), **dense("generator.layers.3", "4"),
             **batch_norm("generator.layers.4", "5"), **dense("generator.layers.5", "7")},
         D: {**dense("discriminator.layers.1", "0"), **dense("discriminator.layers.2", "2"),
             **batch_norm("discriminator.layers.3", "3"), **dense("discriminator.layers.5", "6")}}

tensors = load_file(sys.argv[1])
for module, names in NAMES.items():
    state = {theirs: tensors[ours] for ours, theirs in names.items()}
    # PyTorch counts batches seen for momentum-free averaging; gen uses a fixed momentum and keeps no count.
    state.update({k: torch.tensor(0) for k in module.state_dict() if k.endswith("num_batches_tracked")})
    module.load_state_dict(state, strict=True)
    module.eval()
print("generator and discriminator loaded with strict=True")
if len(sys.argv) > 2:
    z = torch.tensor(np.load(sys.argv[2]))
    with torch.no_grad():
        x = G(z)
        print(json.dumps({"first_pixels": x.view(len(z), -1)[:, :5].tolist(), "discriminator_logits": D(x).view(-1).tolist()}))
