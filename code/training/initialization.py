"""Weight initialization: symmetry breaking, variance propagation, Xavier/Glorot and He/Kaiming, from scratch.

Equal hidden units stay equal forever; Var(z) = n Var(w) E[x^2] gives LeCun (1 / fan_in), Xavier/Glorot
(2 / (fan_in + fan_out)) and He/Kaiming (2 / fan_in for ReLU). NumPy versions of torch.nn.init's calculate_gain,
xavier_uniform_, xavier_normal_, kaiming_uniform_, kaiming_normal_ and nn.Linear's default; an experiment on the
activation and gradient statistics of a 30-layer stack under four initializations.

Page: docs/training/initialization.md (topic 13). Papers: LeCun, Bottou, Orr & Mueller (1998), "Efficient
BackProp"; Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward neural
networks"; He, Zhang, Ren & Sun (2015), "Delving deep into rectifiers".

    python code/training/initialization.py               the deep-stack experiment (per-layer statistics)
    python code/training/initialization.py --check       max |difference| against torch.nn.init and autograd
    --symmetry, --pitfalls, --exercise 2|3|4              the other demos
"""
import sys  # only the command line below uses it

# --8<-- [start:imports]
import functools
import math

import numpy as np
# --8<-- [end:imports]
# --8<-- [start:torch_imports]
import torch
import torch.nn.functional as F
from torch import nn
# --8<-- [end:torch_imports]
# --8<-- [start:gain]
LINEAR_NAMES = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity, param=None):
    """The gain of Table 1: Var(w) = gain**2 / fan keeps E[a^2] = Var(z), eqs. (10)-(12), same as torch's."""
    names = (*LINEAR_NAMES, "tanh", "relu", "leaky_relu", "selu")
    if nonlinearity not in names:
        raise ValueError(f"nonlinearity must be one of {names}, got {nonlinearity!r}")
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param                # PyTorch's default negative_slope
        if isinstance(slope, bool) or not isinstance(slope, (int, float)) or not math.isfinite(slope):
            raise ValueError(f"leaky_relu's negative_slope must be a finite real number, got {param!r}")
        return math.sqrt(2.0 / (1 + slope ** 2))                # Exercise 2
    return {"tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 3.0 / 4}.get(nonlinearity, 1.0)
# --8<-- [end:gain]
# --8<-- [start:fans]


def fan_in_and_fan_out(shape):
    """fan_in = inputs per output unit, fan_out = outputs per input unit, for a weight of shape
    (out_features, in_features, *kernel) as nn.Linear and nn.Conv2d store it: eq. (14)."""
    if not isinstance(shape, tuple) or not all(isinstance(s, int) and s >= 0 for s in shape):
        raise TypeError(f"shape must be a tuple of integers >= 0, got {shape!r}")
    if len(shape) < 2:
        raise ValueError(f"fan_in and fan_out need a weight of at least 2 dimensions "
                         f"(out_features, in_features, *kernel), got shape {shape}")
    receptive_field = math.prod(shape[2:])                      # 1 for a dense layer; k*k for a k x k conv
    return shape[1] * receptive_field, shape[0] * receptive_field


def _rng(rng):
    if rng is None:
        return np.random.default_rng()
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    return rng
# --8<-- [end:fans]
# --8<-- [start:xavier]


def xavier_std(shape, gain=1.0):
    """Eq. (8): std = gain * sqrt(2 / (fan_in + fan_out)), the compromise of eqs. (5) and (7)."""
    fan_in, fan_out = fan_in_and_fan_out(shape)
    if fan_in + fan_out == 0:
        raise ValueError(f"fan_in + fan_out must be > 0 to divide by it, got shape {shape}")
    if isinstance(gain, bool) or not isinstance(gain, (int, float)) or not math.isfinite(gain):
        raise TypeError(f"gain must be a finite real number, got {gain!r}")
    return gain * math.sqrt(2.0 / float(fan_in + fan_out))


def xavier_uniform(shape, gain=1.0, rng=None):
    """U(-b, b) with b = sqrt(3) * std = gain * sqrt(6 / (fan_in + fan_out)), eq. (9)."""
    b = math.sqrt(3.0) * xavier_std(shape, gain)     # U(-b, b) has variance b^2 / 3, eq. (9)
    return _rng(rng).uniform(-b, b, size=shape)


def xavier_normal(shape, gain=1.0, rng=None):
    """N(0, std^2) with std of eq. (8)."""
    return _rng(rng).normal(0.0, xavier_std(shape, gain), size=shape)
# --8<-- [end:xavier]
# --8<-- [start:kaiming]


def kaiming_std(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Eqs. (11)-(12) with a gain: std = gain / sqrt(fan). fan_in keeps the forward pass, fan_out the backward."""
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' (forward pass) or 'fan_out' (backward pass), got {mode!r}")
    fan = fan_in_and_fan_out(shape)[mode == "fan_out"]
    if fan == 0:
        raise ValueError(f"{mode} must be > 0 to set Var(w) = gain**2 / {mode}, got shape {shape}")
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """U(-b, b) with b = sqrt(3) * std: for ReLU, b = sqrt(6 / fan_in)."""
    b = math.sqrt(3.0) * kaiming_std(shape, a, mode, nonlinearity)
    return _rng(rng).uniform(-b, b, size=shape)


def kaiming_normal(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """N(0, std^2): for ReLU, std = sqrt(2 / fan_in), eq. (11)."""
    return _rng(rng).normal(0.0, kaiming_std(shape, a, mode, nonlinearity), size=shape)
# --8<-- [end:kaiming]
# --8<-- [start:linear_default]


def linear_default_bound(fan_in):
    """nn.Linear's default, eq. (15): kaiming_uniform_ with a = sqrt(5) is U(-1/sqrt(fan_in), 1/sqrt(fan_in));
    the bias uses the same bound."""
    return math.sqrt(3.0) * kaiming_std((1, fan_in), a=math.sqrt(5))    # = 1 / sqrt(fan_in)
# --8<-- [end:linear_default]
# --8<-- [start:torch_init]


def init_weights(module):
    """He init for every nn.Linear of a ReLU network, zero biases. model.apply(init_weights) calls it on every
    submodule: model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)).apply(init_weights)"""
    if isinstance(module, nn.Linear):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")     # std = sqrt(2 / in_features)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
# --8<-- [end:torch_init]
# --8<-- [start:symmetry]


def toy_regression(N=32, d=2, seed=0):
    """A small regression task: X (N, d) in [-2, 2], y (N, 1) a smooth nonlinear function of X."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, size=(N, d))
    return X, np.sin(X[:, :1]) * np.cos(X[:, 1:2]) + 0.3 * X[:, :1]


def mlp_params(kind, d=2, m=8, rng=None, c=0.5):
    """One hidden tanh layer of m units: 'zeros', 'constant' (every weight c) or 'random' (Xavier); b = 0."""
    if kind == "random":
        W1, W2 = xavier_uniform((m, d), rng=rng), xavier_uniform((1, m), rng=rng)
    elif kind in ("zeros", "constant"):
        value = 0.0 if kind == "zeros" else c
        W1, W2 = np.full((m, d), value), np.full((1, m), value)
    else:
        raise ValueError(f"kind must be 'zeros', 'constant' or 'random', got {kind!r}")
    return {"W1": W1, "b1": np.zeros(m), "W2": W2, "b2": np.zeros(1)}   # (m, d), (m,), (1, m), (1,)


def mlp_loss_and_grads(p, X, y):
    """J = mean (yhat - y)^2 for yhat = tanh(X W1^T + b1) W2^T + b2, and dJ/dp by backpropagation."""
    A1 = np.tanh(X @ p["W1"].T + p["b1"])                        # (N, m): unit j sees the same X as all others
    R = A1 @ p["W2"].T + p["b2"] - y                             # (N, 1) residuals
    dY = 2.0 * R / len(X)                                        # (N, 1)
    dZ1 = (dY @ p["W2"]) * (1.0 - A1 ** 2)                       # (N, m): column j scaled by W2[0, j], eq. (1)
    grads = {"W1": dZ1.T @ X, "b1": dZ1.sum(0), "W2": dY.T @ A1, "b2": dY.sum(0)}
    return float(np.mean(R ** 2)), grads


def train_mlp(p, X, y, lr=0.1, steps=300):
    """Plain gradient descent; returns the final parameters and the loss at every step."""
    p, losses = {k: v.copy() for k, v in p.items()}, []
    for _ in range(steps):
        loss, grads = mlp_loss_and_grads(p, X, y)
        losses.append(loss)
        for k in p:
            p[k] -= lr * grads[k]
    return p, np.array(losses)


def unit_spread(p):
    """How different the hidden units are: max |(W1[j], b1[j], W2[0, j]) - (W1[0], b1[0], W2[0, 0])|."""
    units = np.column_stack([p["W1"], p["b1"], p["W2"][0]])       # (m, d + 2): one row per hidden unit
    return float(np.abs(units - units[0]).max())


def symmetry_demo():
    """Train the same small MLP from three starting points; print losses and how different the units are."""
    X, y = toy_regression()
    print("init       loss at step 0   loss at step 300   spread of the 8 hidden units after training")
    for kind in ("zeros", "constant", "random"):
        p, losses = train_mlp(mlp_params(kind, rng=np.random.default_rng(0)), X, y)
        print(f"{kind:10} {losses[0]:<16.4f} {losses[-1]:<18.4f} {unit_spread(p):.3g}")
# --8<-- [end:symmetry]
# --8<-- [start:symmetry_torch]


def train_mlp_torch(p, X, y, lr=0.1, steps=300):
    """The same network and training with nn.Sequential, F.mse_loss and torch.optim.SGD, in float64."""
    model = nn.Sequential(nn.Linear(X.shape[1], len(p["b1"])), nn.Tanh(), nn.Linear(len(p["b1"]), 1)).double()
    with torch.no_grad():                               # writing into parameters is not a step to differentiate
        for layer, k in ((model[0], "1"), (model[2], "2")):
            layer.weight.copy_(torch.from_numpy(p["W" + k]))
            layer.bias.copy_(torch.from_numpy(p["b" + k]))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(steps):
        opt.zero_grad()
        F.mse_loss(model(Xt), yt).backward()
        opt.step()
    w = [t.detach().numpy() for t in model.parameters()]
    return dict(zip(("W1", "b1", "W2", "b2"), w))
# --8<-- [end:symmetry_torch]
# --8<-- [start:deep_stack]


def init_stack(kind, L, n, rng, small_std=0.01):
    """L weight matrices (n, n) drawn by one rule: zeros, too small, Xavier (gain 1), He (ReLU gain)."""
    draw = {"zeros": lambda: np.zeros((n, n)),
            "small": lambda: rng.normal(0.0, small_std, (n, n)),
            "xavier": lambda: xavier_normal((n, n), rng=rng),
            "he": lambda: kaiming_normal((n, n), nonlinearity="relu", rng=rng),
            "default": lambda: rng.uniform(-1, 1, (n, n)) * linear_default_bound(n)}
    if kind not in draw:
        raise ValueError(f"kind must be one of {tuple(draw)}, got {kind!r}")
    return [draw[kind]() for _ in range(L)]


def stack_forward_backward(X, G, Ws, g):
    """A^l = g(A^{l-1} W^l^T), l = 1..L, and J = sum(G * A^L) / N (a fixed random read-out: the gradient
    arriving at the top is G / N whatever the weights). Returns the A^l, dA^l = dJ/dA^l and dW^l."""
    act, act_grad = {"relu": (lambda Z: np.maximum(Z, 0.0), lambda Z, A: Z > 0),
                     "tanh": (np.tanh, lambda Z, A: 1.0 - A ** 2)}[g]
    As, Zs = [X], []
    for W in Ws:
        Zs.append(As[-1] @ W.T)                                  # (N, n), eq. (2) for every unit at once
        As.append(act(Zs[-1]))
    dAs, dWs, dA = [None] * len(Ws), [None] * len(Ws), G / len(X)
    for l in range(len(Ws) - 1, -1, -1):
        dAs[l] = dA
        dZ = dA * act_grad(Zs[l], As[l + 1])                     # eq. (6): g'(z) on the way down
        dWs[l] = dZ.T @ As[l]                                    # (n, n)
        dA = dZ @ Ws[l]                                          # (N, n)
    return As[1:], dAs, dWs


@functools.lru_cache(maxsize=None)       # the figures and the printout share one run
def experiment(L=30, n=256, N=4, seed=0):
    """Per-layer std of the activations A^l and of the gradients dJ/dA^l, for every (g, init) pair.
    N = 4 examples give N * n = 1024 values per layer, and keep each product small enough for one thread."""
    stats = {}
    for g in ("relu", "tanh"):
        for kind in ("zeros", "small", "xavier", "he"):
            rng = np.random.default_rng(seed)                    # the same X and G for every run
            X, G = rng.normal(size=(N, n)), rng.normal(size=(N, n))
            As, dAs, _ = stack_forward_backward(X, G, init_stack(kind, L, n, rng), g)
            stats[g, kind] = (np.array([A.std() for A in As]), np.array([dA.std() for dA in dAs]))
    return stats
# --8<-- [end:deep_stack]
# --8<-- [start:experiment_table]


def experiment_table(L=30, n=256):
    """Print the std at layers 1, L/2 and L, and the measured per-layer factor against eq. (4)'s."""
    stats = experiment(L, n)
    var_w = {"small": 0.01 ** 2, "xavier": 1 / n, "he": 2 / n}                # Var(W) of each rule
    half = {"relu": 0.5, "tanh": 1.0}                     # E[g(z)^2] / Var(z): eq. (10), and tanh(z) ~ z
    print(f"L = {L} layers of width n = {n}; std of the activations A^l and of the gradients dJ/dA^l")
    print("g     init     A^1       A^15      A^30      factor/layer (eq.)  dJ/dA^1   dJ/dA^15  dJ/dA^30")
    for (g, kind), (a, d) in stats.items():
        factor = (a[-1] / a[0]) ** (1 / (L - 1)) if a[0] > 0 else 0.0
        eq = math.sqrt(n * var_w[kind] * half[g]) if kind in var_w else 0.0         # eq. (4), per layer
        print(f"{g:5} {kind:7} " + " ".join(f"{v:<9.3g}" for v in a[[0, L // 2 - 1, L - 1]])
              + f" {factor:<7.3f} ({eq:.3f})     " + " ".join(f"{v:<9.3g}" for v in d[[0, L // 2 - 1, L - 1]]))
# --8<-- [end:experiment_table]
# --8<-- [start:deep_stack_torch]


def torch_stack(Ws, g):
    """nn.Sequential of bias-free nn.Linear layers holding the given weights, each followed by g."""
    layers = []
    for W in Ws:
        linear = nn.Linear(W.shape[1], W.shape[0], bias=False, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
        layers += [linear, nn.ReLU() if g == "relu" else nn.Tanh()]
    return nn.Sequential(*layers)


def torch_stack_stats(model, X, G):
    """Activations recorded by forward hooks, their gradients by retain_grad, weight gradients by autograd."""
    acts = []

    def keep(module, inputs, output):
        output.retain_grad()                             # keep dJ/dA^l, which autograd would otherwise free
        acts.append(output)
    hooks = [m.register_forward_hook(keep) for m in model if not isinstance(m, nn.Linear)]
    A = model(torch.from_numpy(X))
    ((torch.from_numpy(G) * A).sum() / len(X)).backward()
    for h in hooks:
        h.remove()
    dWs = [m.weight.grad.numpy() for m in model if isinstance(m, nn.Linear)]
    return [a.detach().numpy() for a in acts], [a.grad.numpy() for a in acts], dWs
# --8<-- [end:deep_stack_torch]
# --8<-- [start:plots]


def _plot_stack(g, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    stats = experiment()
    fig, axes = plt.subplots(1, 2, figsize=(7, 3))
    for kind, color in (("small", "tab:red"), ("xavier", "tab:blue"), ("he", "tab:green")):
        for ax, values in zip(axes, stats[g, kind]):
            ax.semilogy(np.arange(1, len(values) + 1), values, color=color, marker=".", ms=3,
                        label={"small": "std 0.01", "xavier": "Xavier", "he": "He"}[kind])
    for ax, what in zip(axes, ("activations $A^l$", r"gradients $\partial J/\partial A^l$")):
        ax.set(xlabel="layer $l$", title=f"std of the {what}")
        ax.grid(True, which="major", alpha=0.3)
    axes[0].legend(title=title, fontsize=8)
    fig.tight_layout()
    return fig


def plot_relu():
    return _plot_stack("relu", "ReLU")


def plot_tanh():
    return _plot_stack("tanh", "tanh")
# --8<-- [end:plots]
# --8<-- [start:pitfalls]


def last_layer_std(Ws, g="relu", N=4, seed=1):
    """std of the last activations of the stack, for a standard-normal input batch."""
    X = np.random.default_rng(seed).normal(size=(N, Ws[0].shape[1]))
    return float(stack_forward_backward(X, np.zeros_like(X), Ws, g)[0][-1].std())


def pitfalls(L=30, n=256, seed=0):
    """Each mistake of the Pitfalls section, with the number that shows its symptom."""
    rng = np.random.default_rng(seed)
    he = last_layer_std(init_stack("he", L, n, rng))
    var_as_std = last_layer_std([rng.normal(0.0, 2.0 / n, (n, n)) for _ in range(L)])
    default = last_layer_std(init_stack("default", L, n, rng))
    print(f"1. std of layer {L} of a ReLU stack, n = {n}: He {he:.3g}; std = 2/n (a variance) {var_as_std:.3g};"
          f" nn.Linear's default {default:.3g}")
    w = torch.empty(784, 256)                                    # a (in, out) kernel, used as x @ w
    torch.nn.init.kaiming_normal_(w, nonlinearity="relu",        # torch reads fan_in from dim 1 = 256
                                  generator=torch.Generator().manual_seed(seed))
    print(f"2. (in, out) = (784, 256) kernel: std {w.std():.4f}, wanted sqrt(2/784) = {math.sqrt(2 / 784):.4f}, "
          f"got sqrt(2/256) = {math.sqrt(2 / 256):.4f}")
    conv = nn.Conv2d(3, 16, kernel_size=3)                       # weight (16, 3, 3, 3): fan_in = 3 * 3 * 3
    nn.init.kaiming_normal_(conv.weight, nonlinearity="relu", generator=torch.Generator().manual_seed(seed))
    print(f"3. Conv2d(3, 16, 3): std {conv.weight.std():.3f}; sqrt(2/27) = {math.sqrt(2 / 27):.3f} (C_in k^2), "
          f"not sqrt(2/3) = {math.sqrt(2 / 3):.3f} (C_in alone)")
    layer = nn.Linear(4, 3)
    for attempt in (lambda: setattr(layer, "weight", torch.randn(3, 4)), lambda: layer.weight.normal_()):
        try:
            attempt()
        except (TypeError, RuntimeError) as error:
            print(f"4. {type(error).__name__}: {str(error).splitlines()[0][:96]}")
# --8<-- [end:pitfalls]
# --8<-- [start:exercise_leaky]


def leaky_gain_monte_carlo(a, samples=1_000_000, seed=0):
    """Exercise 2: sqrt(Var(z) / E[leaky(z)^2]) for z ~ N(0, 1), measured; Table 1 says sqrt(2 / (1 + a^2))."""
    z = np.random.default_rng(seed).normal(size=samples)
    return math.sqrt(np.mean(z ** 2) / np.mean(np.where(z > 0, z, a * z) ** 2))
# --8<-- [end:exercise_leaky]
# --8<-- [start:exercise_conv]


def conv_output_variance(C_in=8, k=3, seed=0):
    """Exercise 3: Var of F.conv2d's output against eq. (2) with fan_in = C_in * k * k, w ~ kaiming_normal."""
    rng = np.random.default_rng(seed)
    w = kaiming_normal((64, C_in, k, k), nonlinearity="linear", rng=rng)   # Var(w) = 1 / fan_in
    x = rng.normal(0.0, 2.0, size=(16, C_in, 24, 24))                        # E[x^2] = Var(x) = 4
    z = F.conv2d(torch.from_numpy(x), torch.from_numpy(w))                  # (16, 64, 22, 22)
    fan_in = fan_in_and_fan_out(w.shape)[0]
    return float(z.var()), fan_in * (1.0 / fan_in) * 4.0                    # measured, eq. (2)
# --8<-- [end:exercise_conv]
# --8<-- [start:exercise_funnel]


def funnel_stats(mode, widths=(16, 32, 64, 128, 256, 256), N=4, seed=0):
    """Exercise 4: a ReLU stack whose width grows; E[a^2] at the top over E[x^2], and E[dA^2] at the bottom
    over at the top, with He init in the given mode."""
    rng = np.random.default_rng(seed)
    Ws = [kaiming_normal((m, k), mode=mode, nonlinearity="relu", rng=rng) for k, m in zip(widths, widths[1:])]
    X, G = rng.normal(size=(N, widths[0])), rng.normal(size=(N, widths[-1]))
    As, dAs, _ = stack_forward_backward(X, G, Ws, "relu")
    dA0 = (dAs[0] * (As[0] > 0)) @ Ws[0]                                     # the gradient at the input X
    ms = lambda M: float(np.mean(M ** 2))                                     # noqa: E731  second moment
    return ms(As[-1]) / ms(X), ms(dA0) / ms(dAs[-1])
# --8<-- [end:exercise_funnel]


def _diff(a, b):
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)), initial=0.0))


def _replay(name, shape, kwargs, spread):
    """torch.nn.init.<name> with seed 0, and a plain uniform_/normal_ draw with seed 0 and OUR bound or std."""
    theirs = getattr(torch.nn.init, name)(torch.empty(shape, dtype=torch.float64),
                                          generator=torch.Generator().manual_seed(0), **kwargs)
    t, g = torch.empty(shape, dtype=torch.float64), torch.Generator().manual_seed(0)
    ours = t.uniform_(-spread, spread, generator=g) if "uniform" in name else t.normal_(0.0, spread, generator=g)
    return _diff(theirs, ours)


def _check_formulas(shape=(300, 200)):
    names = [(n, None) for n in (*LINEAR_NAMES, "tanh", "relu", "selu", "leaky_relu")] + [("leaky_relu", 0.2)]
    rows = [("calculate_gain, 13 cases", _diff([calculate_gain(*c) for c in names],
                                                [torch.nn.init.calculate_gain(*c) for c in names]))]
    shapes = [(5, 3), (16, 3, 3, 3), (4, 2, 5), (7, 0)]
    rows.append(("fan_in_and_fan_out, 4 shapes", _diff([fan_in_and_fan_out(s) for s in shapes], [
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(s)) for s in shapes])))
    relu = {"nonlinearity": "relu"}
    for name, kwargs, spread in (
            ("xavier_uniform_", {"gain": 0.5}, math.sqrt(3) * xavier_std(shape, 0.5)),
            ("xavier_normal_", {"gain": 0.5}, xavier_std(shape, 0.5)),
            ("kaiming_uniform_", relu, math.sqrt(3) * kaiming_std(shape, nonlinearity="relu")),
            ("kaiming_normal_", {**relu, "mode": "fan_out"}, kaiming_std(shape, mode="fan_out", **relu))):
        rows.append((f"{name}: seeded draw vs the same with our formula", _replay(name, shape, kwargs, spread)))
    torch.manual_seed(0)
    linear, b = nn.Linear(300, 200, dtype=torch.float64), linear_default_bound(300)
    torch.manual_seed(0)                                 # nn.Linear draws the weight, then the bias
    W, b_ = (torch.empty(s, dtype=torch.float64).uniform_(-b, b) for s in ((200, 300), (200,)))
    rows.append(("nn.Linear(300, 200) vs U(-1/sqrt(300), 1/sqrt(300))",
                 max(_diff(linear.weight.detach(), W), _diff(linear.bias.detach(), b_))))
    return rows


def _check_samples(shape=(800, 1250), seed=0):
    """Our NumPy draws and torch's on 10^6 weights: variance / target, and max |w| / bound (uniform)."""
    rng, tanh, relu = np.random.default_rng(seed), calculate_gain("tanh"), {"nonlinearity": "relu"}
    print(f"\n{'10^6 draws, shape (800, 1250)':34} Var/target: ours   torch  max|w|/bound: ours   torch")
    for name, ours, std, kwargs in (
            ("xavier_uniform_", xavier_uniform(shape, tanh, rng), xavier_std(shape, tanh), {"gain": tanh}),
            ("xavier_normal_", xavier_normal(shape, tanh, rng), xavier_std(shape, tanh), {"gain": tanh}),
            ("kaiming_uniform_", kaiming_uniform(shape, rng=rng, **relu), kaiming_std(shape, **relu), relu),
            ("kaiming_normal_", kaiming_normal(shape, rng=rng, **relu), kaiming_std(shape, **relu), relu)):
        theirs = getattr(torch.nn.init, name)(torch.empty(shape, dtype=torch.float64), **kwargs).numpy()
        ratios = [f"{np.abs(w).max() / (math.sqrt(3) * std):7.5f}" if "uniform" in name else "      -"
                  for w in (ours, theirs)]
        print(f"{name:34} {ours.var() / std ** 2:16.4f} {theirs.var() / std ** 2:7.4f} {ratios[0]:>19} {ratios[1]:>7}")


def _check_training():
    rows, rng = [], np.random.default_rng(0)
    X, G = rng.normal(size=(2, 16, 64))
    for g in ("relu", "tanh"):
        Ws = init_stack("he", 10, 64, rng)
        ours, theirs = stack_forward_backward(X, G, Ws, g), torch_stack_stats(torch_stack(Ws, g), X, G)
        rows.append((f"10-layer {g} stack: A^l, dJ/dA^l, dJ/dW^l vs autograd",
                     max(_diff(a, b) for mine, yours in zip(ours, theirs) for a, b in zip(mine, yours))))
    X, y = toy_regression()
    for kind in ("constant", "random"):
        p = mlp_params(kind, rng=np.random.default_rng(0))
        rows.append((f"MLP, {kind} init: 300 steps vs torch.optim.SGD",
                     max(_diff(a, b) for a, b in zip(train_mlp(p, X, y)[0].values(),
                                                     train_mlp_torch(p, X, y).values()))))
    return rows


def check():
    """Max |ours - torch| for gains, fans, std and bounds, nn.Linear's default, the deep stack and training."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)            # hundreds of tiny steps: extra threads only wait on each other
    try:
        print(f"{'from scratch vs PyTorch (float64)':56} max |difference|")
        for what, diff in _check_formulas() + _check_training():
            print(f"{what:56} {diff:.1e}")
        _check_samples()
    finally:
        torch.set_num_threads(threads)


def exercises(k):
    if k == "2":
        for a in (0.0, 0.01, 0.2, 1.0):
            print(f"a = {a:<5} measured gain {leaky_gain_monte_carlo(a):.4f}   "
                  f"calculate_gain('leaky_relu', {a}) = {calculate_gain('leaky_relu', a):.4f}")
    elif k == "3":
        print("Var(conv2d output) measured %.4f, eq. (2) with fan_in = C_in k^2: %.4f" % conv_output_variance())
    elif k == "4":
        for mode in ("fan_in", "fan_out"):
            print("{:8} E[a^2] top / input {:7.3f}   E[dA^2] input / top {:7.3f}".format(mode, *funnel_stats(mode)))


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--check" in args:
        check()
    elif "--symmetry" in args:
        # --8<-- [start:demo_symmetry]
        symmetry_demo()
        # --8<-- [end:demo_symmetry]
    elif "--pitfalls" in args:
        # --8<-- [start:demo_pitfalls]
        pitfalls()
        # --8<-- [end:demo_pitfalls]
    elif "--exercise" in args:
        exercises(args[args.index("--exercise") + 1])
    else:
        # --8<-- [start:demo]
        experiment_table()
        # --8<-- [end:demo]
