"""gen's default models in PyTorch (eager, CPU), timed per epoch: the side-by-side reference for
`gen bench` and the README's performance tables.

    python Benchmarks/pytorch_reference.py MODEL [EPOCHS] [THREADS]
    MODEL: ae, vae, gan, conv-ae, conv-vae, dcgan (gen bench's names); EPOCHS 3, THREADS 2 by default.

One JSON line per epoch: the model, the epoch, its training seconds (the test pass excluded, as
`gen bench` excludes evaluation) and its losses with the reductions gen states: the AE and VAE
losses summed over pixels (and latent units) and averaged over images; the GAN's mean binary
cross-entropies. Quote the second and later epochs: the first includes PyTorch's warm-up.
Architectures, initialisation ranges and optimizers are gen's defaults (docs/models.md).
"""
import gzip
import json
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

DATA = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist
BATCH = 128


def read_idx_images(path):
    """An IDX image file as (N, 784) floats in [0, 1]."""
    with gzip.open(path) as f:
        raw = f.read()
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank)]
    pixels = np.frombuffer(raw, np.uint8, offset=4 + 4 * rank).reshape(dims[0], -1)
    return torch.from_numpy(pixels.astype(np.float32) / 255)


class Unflatten(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.view(x.shape[0], *self.shape)


def conv_encoder_features():
    """Conv(1→32)-ReLU-Conv(32→64)-ReLU over 28×28, flattened to 64·7·7."""
    return nn.Sequential(
        Unflatten(1, 28, 28),
        nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(),
        nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),
        nn.Flatten(),
    )


def conv_decoder(latent):
    """Dense(latent → 64·7·7)-ReLU-TConv(64→32)-ReLU-TConv(32→1): logits, flattened."""
    return nn.Sequential(
        nn.Linear(latent, 64 * 7 * 7), nn.ReLU(), Unflatten(64, 7, 7),
        nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),
        nn.ConvTranspose2d(32, 1, 4, 2, 1), nn.Flatten(),
    )


class Autoencoder(nn.Module):
    """Binary cross-entropy of the logits, summed over pixels, averaged over images."""

    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder, self.decoder = encoder, decoder

    def loss(self, x):
        logits = self.decoder(self.encoder(x))
        return F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / len(x)


class VariationalAutoencoder(nn.Module):
    """The negative ELBO: BCE summed over pixels plus the closed-form KL to N(0, I) summed over
    latent units, both averaged over images (β = 1)."""

    def __init__(self, features, feature_count, latent, decoder):
        super().__init__()
        self.features, self.decoder = features, decoder
        self.mean = nn.Linear(feature_count, latent)
        self.log_variance = nn.Linear(feature_count, latent)

    def loss(self, x):
        h = self.features(x)
        mu, log_var = self.mean(h), self.log_variance(h)
        z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)
        reconstruction = F.binary_cross_entropy_with_logits(self.decoder(z), x, reduction="sum")
        kl = 0.5 * torch.sum(mu * mu + log_var.exp() - 1 - log_var)
        return (reconstruction + kl) / len(x)


def reconstruction_model(name):
    if name == "ae":
        encoder = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 32))
        decoder = nn.Sequential(nn.Linear(32, 512), nn.ReLU(), nn.Linear(512, 784))
        return Autoencoder(encoder, decoder)
    if name == "vae":
        features = nn.Sequential(nn.Linear(784, 400), nn.ReLU())
        decoder = nn.Sequential(nn.Linear(20, 400), nn.ReLU(), nn.Linear(400, 784))
        return VariationalAutoencoder(features, 400, 20, decoder)
    if name == "conv-ae":
        encoder = nn.Sequential(conv_encoder_features(), nn.Linear(64 * 7 * 7, 32))
        return Autoencoder(encoder, conv_decoder(32))
    if name == "conv-vae":
        return VariationalAutoencoder(conv_encoder_features(), 64 * 7 * 7, 20, conv_decoder(20))
    return None


def gan_networks(name):
    """(generator, discriminator, code size): the MLP GAN or the DCGAN, images flat in [-1, 1]."""
    if name == "gan":
        generator = nn.Sequential(
            nn.Linear(64, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
            nn.Linear(512, 784), nn.Tanh())
        discriminator = nn.Sequential(
            nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1))
        return generator, discriminator, 64
    if name == "dcgan":
        generator = nn.Sequential(
            nn.Linear(64, 128 * 7 * 7), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU(), Unflatten(128, 7, 7),
            nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh(), nn.Flatten())
        discriminator = nn.Sequential(
            Unflatten(1, 28, 28),
            nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(128 * 7 * 7, 1))
        return generator, discriminator, 64
    return None


def train_reconstruction(model, train, test, epochs, name):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order, total = torch.randperm(len(train)), 0.0
        model.train()
        for first in range(0, len(train), BATCH):
            x = train[order[first : first + BATCH]]
            optimizer.zero_grad()
            loss = model.loss(x)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(x)
        seconds = time.perf_counter() - start
        model.eval()
        with torch.no_grad():
            test_loss = sum(model.loss(test[i : i + 1000]).item() * len(test[i : i + 1000])
                            for i in range(0, len(test), 1000)) / len(test)
        report(name, epoch, seconds, train_loss=total / len(train), test_loss=test_loss)


def train_gan(generator, discriminator, code_size, train, epochs, name):
    """Goodfellow's algorithm with k = 1 and the non-saturating generator loss; Adam 2e-4, β₁ 0.5.
    Every batch of the shuffled epoch, the last, shorter one included (as gen's), is one
    discriminator step then one generator step. As in gen, the discriminator's step makes no
    gradient for G (its fakes are drawn without autograd) and the generator's step none for D's
    weights (requires_grad off): the work gen does, not more."""
    adam = lambda net: torch.optim.Adam(net.parameters(), lr=2e-4, betas=(0.5, 0.999))
    g_optimizer, d_optimizer = adam(generator), adam(discriminator)
    real_images = train * 2 - 1
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(len(real_images))
        d_total = g_total = 0.0
        steps = 0
        for first in range(0, len(real_images), BATCH):
            real = real_images[order[first : first + BATCH]]
            n = len(real)
            ones, zeros = torch.ones(n, 1), torch.zeros(n, 1)
            with torch.no_grad():
                fake = generator(torch.randn(n, code_size))
            d_optimizer.zero_grad()
            d_loss = (F.binary_cross_entropy_with_logits(discriminator(real), ones)
                      + F.binary_cross_entropy_with_logits(discriminator(fake), zeros))
            d_loss.backward()
            d_optimizer.step()
            g_optimizer.zero_grad()
            discriminator.requires_grad_(False)
            g_loss = F.binary_cross_entropy_with_logits(discriminator(generator(torch.randn(n, code_size))), ones)
            g_loss.backward()
            discriminator.requires_grad_(True)
            g_optimizer.step()
            d_total, g_total, steps = d_total + d_loss.item(), g_total + g_loss.item(), steps + 1
        report(name, epoch, time.perf_counter() - start, d_loss=d_total / steps, g_loss=g_total / steps)


def report(name, epoch, seconds, **losses):
    line = dict(model=name, epoch=epoch, seconds=round(seconds, 3), threads=torch.get_num_threads())
    line.update({key: round(value, 4) for key, value in losses.items()})
    print(json.dumps(line), flush=True)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    name = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
    torch.manual_seed(0)
    train = read_idx_images(f"{DATA}/train-images-idx3-ubyte.gz")
    test = read_idx_images(f"{DATA}/t10k-images-idx3-ubyte.gz")
    model = reconstruction_model(name)
    if model is not None:
        return train_reconstruction(model, train, test, epochs, name)
    networks = gan_networks(name)
    if networks is None:
        sys.exit(f"unknown model '{name}': expected ae, vae, gan, conv-ae, conv-vae or dcgan")
    train_gan(*networks, train, epochs, name)


if __name__ == "__main__":
    main()
