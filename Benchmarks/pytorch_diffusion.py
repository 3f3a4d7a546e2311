"""gen's diffusion model in PyTorch (eager, CPU): the same denoisers, schedule and loss, for timing
beside `gen bench diffusion` / `gen bench conv-diffusion`, and for checking gen's gradients.

    python Benchmarks/pytorch_diffusion.py MODEL [EPOCHS] [THREADS]   # MODEL: diffusion, conv-diffusion
    python Benchmarks/pytorch_diffusion.py check FILE                  # FILE: from gen's test, below

Timing: one JSON line per epoch with its training seconds and mean loss (the squared error between
the true and the predicted noise, averaged over every pixel of every image: L_simple), Adam 1e-3,
batch 128, T = 1000 with the linear β schedule. Quote the second and later epochs.

Check: `GEN_EXPORT_DIFFUSION_STEP=/tmp/step.safetensors swift test --filter DiffusionStepExport`
writes one step of gen's default U-Net (its weights, fixed images, timesteps and noise, its loss
and every gradient); `check` loads the weights into the module below, recomputes the loss and the
gradients in PyTorch, and prints each tensor's relative difference ‖gen − torch‖ / ‖torch‖.
"""
import json
import math
import struct
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from pytorch_reference import BATCH, DATA, read_idx_images  # the same files, read the same way


def timestep_embedding(t, size):
    """DDPM's sinusoidal embedding: sines then cosines of t at 10000^(-i / (size/2 - 1))."""
    half = size // 2
    frequencies = torch.exp(-math.log(10000.0) / (half - 1) * torch.arange(half, dtype=torch.float64))
    angles = t.to(torch.float64)[:, None] * frequencies[None, :]
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1).to(torch.float32)


def linear_alpha_bars(steps):
    """ᾱ_t for t = 1 … T: β linear from 1e-4 to 0.02, both times 1000 / T (gen's NoiseSchedule)."""
    scale = 1000.0 / steps
    betas = np.linspace(scale * 1e-4, min(scale * 0.02, 0.999), steps)
    return torch.from_numpy(np.cumprod(1 - betas))


def group_count(channels):
    """gen's rule: up to 8 groups of at least two channels."""
    return next((g for g in (8, 4, 2) if channels % g == 0 and channels // g >= 2), 1)


class Block(nn.Module):
    """DDPM's residual block, the time's per-channel shift between its two convolutions."""

    def __init__(self, inputs, outputs, time_size):
        super().__init__()
        self.norm1 = nn.GroupNorm(group_count(inputs), inputs)
        self.conv1 = nn.Conv2d(inputs, outputs, 3, padding=1)
        self.time = nn.Linear(time_size, outputs)
        self.norm2 = nn.GroupNorm(group_count(outputs), outputs)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, padding=1)
        self.shortcut = nn.Conv2d(inputs, outputs, 1) if inputs != outputs else None

    def forward(self, x, features):
        h = self.conv1(F.silu(self.norm1(x))) + self.time(features)[:, :, None, None]
        y = self.conv2(F.silu(self.norm2(h)))
        return y + (self.shortcut(x) if self.shortcut is not None else x)


class UNet(nn.Module):
    """gen's UNetDenoiser, module for module and name for name."""

    def __init__(self, image=(1, 28, 28), channels=(16, 32), embedding=32):
        super().__init__()
        c0, c1, c2 = image[0], channels[0], channels[1]
        self.image, self.embedding, time = image, embedding, 4 * c1
        self.timeIn, self.timeOut = nn.Linear(embedding, time), nn.Linear(time, time)
        self.stem = nn.Conv2d(c0, c1, 3, padding=1)
        self.down1 = Block(c1, c1, time)
        self.downsample1 = nn.Conv2d(c1, c1, 3, stride=2, padding=1)
        self.down2 = Block(c1, c2, time)
        self.downsample2 = nn.Conv2d(c2, c2, 3, stride=2, padding=1)
        self.middle = Block(c2, c2, time)
        self.up2 = Block(2 * c2, c2, time)
        self.up1 = Block(c2 + c1, c1, time)
        self.outNorm = nn.GroupNorm(group_count(c1), c1)
        self.outConv = nn.Conv2d(c1, c0, 3, padding=1)

    def forward(self, noised, t):
        features = F.silu(self.timeOut(F.silu(self.timeIn(timestep_embedding(t, self.embedding)))))
        up = lambda x: F.interpolate(x, scale_factor=2, mode="nearest")
        d1 = self.down1(self.stem(noised.view(-1, *self.image)), features)
        d2 = self.down2(self.downsample1(d1), features)
        m = self.middle(self.downsample2(d2), features)
        u2 = self.up2(torch.cat([up(m), d2], 1), features)
        u1 = self.up1(torch.cat([up(u2), d1], 1), features)
        return self.outConv(F.silu(self.outNorm(u1))).flatten(1)


class MLPDenoiser(nn.Module):
    """gen's MLPDenoiser: [x_t, e(t)] through Linear-SiLU-…-Linear."""

    def __init__(self, dimension=784, hidden=(1024, 1024), embedding=32):
        super().__init__()
        sizes, layers = [dimension + embedding, *hidden, dimension], []
        for i in range(len(sizes) - 1):
            layers += [nn.Linear(sizes[i], sizes[i + 1])] + ([nn.SiLU()] if i < len(sizes) - 2 else [])
        self.network, self.embedding = nn.Sequential(*layers), embedding

    def forward(self, noised, t):
        return self.network(torch.cat([noised, timestep_embedding(t, self.embedding)], 1))


def diffusion_loss(model, x0, t, epsilon, alpha_bars):
    """L_simple: the mean over every number of (ε̂(x_t, t) − ε)², x_t from the closed form."""
    a = alpha_bars[t - 1].to(torch.float32)[:, None]
    noised = a.sqrt() * x0 + (1 - a).sqrt() * epsilon
    return F.mse_loss(model(noised, t), epsilon)


def read_symmetric_images(path):
    """An IDX image file as (N, 784) floats in [-1, 1], gen's range for diffusion."""
    return read_idx_images(path) * 2 - 1


def read_safetensors(path):
    """A safetensors file of F32 tensors as a dict of torch tensors (no library needed)."""
    with open(path, "rb") as f:
        raw = f.read()
    length = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + length])
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        data = np.frombuffer(raw, np.float32, count=(end - begin) // 4, offset=8 + length + begin)
        tensors[name] = torch.from_numpy(data.copy()).reshape(entry["shape"])
    return tensors


def check(path):
    saved = read_safetensors(path)
    prefix = "denoiser."
    weights = {k[len(prefix):]: v for k, v in saved.items() if k.startswith(prefix)}
    channels = (weights["stem.weight"].shape[0], weights["down2.conv1.weight"].shape[0])
    model = UNet(channels=channels, embedding=weights["timeIn.weight"].shape[1])
    model.load_state_dict(weights, strict=True)
    t = saved["timesteps"].to(torch.int64)
    loss = diffusion_loss(model, saved["x0"], t, saved["epsilon"], linear_alpha_bars(1000))
    loss.backward()
    worst = 0.0
    print(json.dumps(dict(loss_gen=saved["loss"].item(), loss_torch=loss.item())))
    for name, parameter in model.named_parameters():
        gen = saved["gradient." + prefix + name]
        relative = ((gen - parameter.grad).norm() / parameter.grad.norm()).item()
        worst = max(worst, relative)
        print(json.dumps(dict(tensor=name, relative_difference=relative)))
    print(json.dumps(dict(worst_relative_difference=worst, tensors=len(list(model.parameters())))))


def train(name, epochs):
    model = UNet() if name == "conv-diffusion" else MLPDenoiser()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    images, alpha_bars = read_symmetric_images(f"{DATA}/train-images-idx3-ubyte.gz"), linear_alpha_bars(1000)
    for epoch in range(1, epochs + 1):
        start, total = time.perf_counter(), 0.0
        order = torch.randperm(len(images))
        for first in range(0, len(images), BATCH):
            x0 = images[order[first : first + BATCH]]
            t = torch.randint(1, 1001, (len(x0),))
            optimizer.zero_grad()
            loss = diffusion_loss(model, x0, t, torch.randn_like(x0), alpha_bars)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(x0)
        line = dict(model=name, epoch=epoch, seconds=round(time.perf_counter() - start, 3),
                    threads=torch.get_num_threads(), train_loss=round(total / len(images), 4))
        print(json.dumps(line), flush=True)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    torch.manual_seed(0)
    if sys.argv[1] == "check":
        return check(sys.argv[2])
    if sys.argv[1] not in ("diffusion", "conv-diffusion"):
        sys.exit(f"unknown model '{sys.argv[1]}': expected diffusion, conv-diffusion or check")
    torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
    train(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3)


if __name__ == "__main__":
    main()
