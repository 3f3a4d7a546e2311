"""gen's default MLP models in JAX (CPU), the whole training step compiled by XLA, timed per
epoch: the second side-by-side reference for `gen bench mlp`.

    python Benchmarks/jax_reference.py MODEL [EPOCHS]
    MODEL: ae, vae, gan; EPOCHS 3 by default. XLA uses every core the process may run on:
    run it with `taskset -c 0,1` to give it the same two cores as `gen bench --threads 2`.

One JSON line per epoch, as pytorch_reference.py prints them (the same losses and reductions).
Quote the second and later epochs: the first includes XLA's compilation. Adam is written out
here (no optax in the environment Benchmarks/setup makes), as torch.optim.Adam computes it.
"""
import gzip
import json
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

DATA = "/usr/share/datasets/fashion-mnist"
BATCH = 128


def read_idx_images(path):
    with gzip.open(path) as f:
        raw = f.read()
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * rank).reshape(dims[0], -1).astype(np.float32) / 255


def dense(key, fan_in, fan_out):
    """nn.Linear's initialisation: weight and bias uniform in ±1/sqrt(fan_in)."""
    bound = 1 / np.sqrt(fan_in)
    wk, bk = jax.random.split(key)
    return (jax.random.uniform(wk, (fan_in, fan_out), minval=-bound, maxval=bound),
            jax.random.uniform(bk, (fan_out,), minval=-bound, maxval=bound))


def mlp(key, sizes):
    return [dense(k, a, b) for k, a, b in zip(jax.random.split(key, len(sizes) - 1), sizes[:-1], sizes[1:])]


def apply(layers, x, hidden, last=lambda v: v):
    for i, (w, b) in enumerate(layers):
        x = x @ w + b
        x = last(x) if i == len(layers) - 1 else hidden(x)
    return x


def leaky(x):
    return jnp.where(x > 0, x, 0.2 * x)


def bce_with_logits(logits, targets):
    return jnp.maximum(logits, 0) - logits * targets + jnp.log1p(jnp.exp(-jnp.abs(logits)))


def adam(learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
    def init(params):
        zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
        return (zeros, zeros, 0)

    def update(params, grads, state):
        m, v, t = state
        t = t + 1
        m = jax.tree_util.tree_map(lambda m, g: beta1 * m + (1 - beta1) * g, m, grads)
        v = jax.tree_util.tree_map(lambda v, g: beta2 * v + (1 - beta2) * g * g, v, grads)
        scale = learning_rate * jnp.sqrt(1 - beta2**t) / (1 - beta1**t)
        params = jax.tree_util.tree_map(lambda p, m, v: p - scale * m / (jnp.sqrt(v) + eps * jnp.sqrt(1 - beta2**t)),
                                        params, m, v)
        return params, (m, v, t)

    return init, update


def reconstruction_loss(name):
    relu = jax.nn.relu
    if name == "ae":
        def loss(params, x, key):
            logits = apply(params["decoder"], apply(params["encoder"], x, relu), relu)
            return bce_with_logits(logits, x).sum() / len(x)
        return loss, lambda key: dict(zip(("encoder", "decoder"), (mlp(k, s) for k, s in zip(
            jax.random.split(key), ([784, 512, 32], [32, 512, 784])))))

    def loss(params, x, key):  # the VAE: 784-400-(20, 20) | 20-400-784
        h = apply(params["features"], x, relu, relu)
        mu, log_var = apply(params["mean"], h, None), apply(params["log_variance"], h, None)  # one layer: no hidden activation
        z = mu + jnp.exp(0.5 * log_var) * jax.random.normal(key, mu.shape)
        logits = apply(params["decoder"], z, relu)
        kl = 0.5 * jnp.sum(mu * mu + jnp.exp(log_var) - 1 - log_var)
        return (bce_with_logits(logits, x).sum() + kl) / len(x)

    def init(key):
        k = jax.random.split(key, 4)
        return dict(features=mlp(k[0], [784, 400]), mean=mlp(k[1], [400, 20]), log_variance=mlp(k[2], [400, 20]),
                    decoder=mlp(k[3], [20, 400, 784]))
    return loss, init


def train_reconstruction(name, train, test, epochs):
    loss, init = reconstruction_loss(name)
    opt_init, opt_update = adam(1e-3)
    params = init(jax.random.PRNGKey(0))
    state = opt_init(params)

    @jax.jit
    def step(params, state, x, key):
        value, grads = jax.value_and_grad(loss)(params, x, key)
        params, state = opt_update(params, grads, state)
        return params, state, value

    evaluate = jax.jit(loss)
    key = jax.random.PRNGKey(1)
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        key, shuffle = jax.random.split(key)
        order = np.asarray(jax.random.permutation(shuffle, len(train)))
        total = 0.0
        for first in range(0, len(train), BATCH):
            x = train[order[first : first + BATCH]]
            key, noise = jax.random.split(key)
            params, state, value = step(params, state, x, noise)
            total += float(value) * len(x)
        seconds = time.perf_counter() - start
        test_loss = sum(float(evaluate(params, test[i : i + 1000], key)) * len(test[i : i + 1000])
                        for i in range(0, len(test), 1000))
        report(name, epoch, seconds, train_loss=total / len(train), test_loss=test_loss / len(test))


def train_gan(train, epochs):
    """G 64-256-512-784 (LeakyReLU 0.2, tanh), D 784-512-256-1; k = 1, non-saturating; Adam 2e-4, β₁ 0.5."""
    kg, kd = jax.random.split(jax.random.PRNGKey(0))
    generator, discriminator = mlp(kg, [64, 256, 512, 784]), mlp(kd, [784, 512, 256, 1])
    opt_init, opt_update = adam(2e-4, beta1=0.5)
    g_state, d_state = opt_init(generator), opt_init(discriminator)
    make = lambda g, z: apply(g, z, leaky, jnp.tanh)
    judge = lambda d, x: apply(d, x, leaky)

    def d_loss(d, g, real, z):
        return bce_with_logits(judge(d, real), 1.0).mean() + bce_with_logits(judge(d, make(g, z)), 0.0).mean()

    def g_loss(g, d, z):
        return bce_with_logits(judge(d, make(g, z)), 1.0).mean()

    @jax.jit
    def step(g, d, g_state, d_state, real, key):
        kd, kg = jax.random.split(key)
        n = real.shape[0]
        dl, grads = jax.value_and_grad(d_loss)(d, jax.lax.stop_gradient(g), real, jax.random.normal(kd, (n, 64)))
        d, d_state = opt_update(d, grads, d_state)
        gl, grads = jax.value_and_grad(g_loss)(g, d, jax.random.normal(kg, (n, 64)))
        g, g_state = opt_update(g, grads, g_state)
        return g, d, g_state, d_state, dl, gl

    real_images = train * 2 - 1
    key = jax.random.PRNGKey(1)
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        key, shuffle = jax.random.split(key)
        order = np.asarray(jax.random.permutation(shuffle, len(train)))
        steps, d_total, g_total = 0, 0.0, 0.0
        for first in range(0, len(train), BATCH):  # the last, shorter batch too, as gen (XLA compiles its shape once)
            key, noise = jax.random.split(key)
            generator, discriminator, g_state, d_state, dl, gl = step(
                generator, discriminator, g_state, d_state, real_images[order[first : first + BATCH]], noise)
            d_total, g_total, steps = d_total + float(dl), g_total + float(gl), steps + 1
        report("gan", epoch, time.perf_counter() - start, d_loss=d_total / steps, g_loss=g_total / steps)


def report(name, epoch, seconds, **losses):
    line = dict(model=name, epoch=epoch, seconds=round(seconds, 3))
    line.update({key: round(value, 4) for key, value in losses.items()})
    print(json.dumps(line), flush=True)


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("ae", "vae", "gan"):
        sys.exit(__doc__)
    name, epochs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    train = read_idx_images(f"{DATA}/train-images-idx3-ubyte.gz")
    test = read_idx_images(f"{DATA}/t10k-images-idx3-ubyte.gz")
    if name == "gan":
        train_gan(train, epochs)
    else:
        train_reconstruction(name, train, test, epochs)


if __name__ == "__main__":
    main()
