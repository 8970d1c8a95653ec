"""Activation functions from scratch in NumPy, each with its hand-derived derivative, checked against PyTorch.

Identity, Heaviside step, sigmoid, tanh, ReLU, leaky ReLU, ELU, GELU (exact and tanh approximation), SiLU/Swish,
softplus and softmax (with its Jacobian diag(s) - s sᵀ and the vector-Jacobian product used in backprop).
Sigmoid, softplus and softmax are written so that logits of ±1e4 give finite, correct results.

Page: docs/foundations/activations.md (topic 5). Papers: Nair & Hinton (2010), ReLU; Maas, Hannun & Ng (2013),
leaky ReLU; Clevert, Unterthiner & Hochreiter (2016), ELU; Hendrycks & Gimpel (2016), GELU; Elfwing, Uchibe &
Doya (2018) and Ramachandran, Zoph & Le (2017), SiLU/Swish; Bridle (1990), softmax.

    python code/foundations/activations.py               # demo: every function and derivative at a few z
    python code/foundations/activations.py --check       # max |difference| against PyTorch, float64
    python code/foundations/activations.py --saturation  # how fast sigmoid and tanh gradients vanish
    python code/foundations/activations.py --pitfalls    # overflow, dead ReLUs, no gradient, wrong axis
    python code/foundations/activations.py --exercise 3  # (or 4) the output of an exercise's solution
"""
import sys  # only the command line below uses it

# --8<-- [start:imports]
import math

import numpy as np
# --8<-- [end:imports]
# --8<-- [start:torch_imports]
import torch
import torch.nn.functional as F
from torch import nn
# --8<-- [end:torch_imports]
# --8<-- [start:validation]


def _real(z, name="z"):
    """z as a float64 array; anything that is not real numbers (strings, complex, None) is a TypeError."""
    a = np.asarray(z)
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be real numbers (an integer or float array), got dtype {a.dtype}")
    return a.astype(np.float64)


def _number(value, name, low, high, expected):
    """A hyperparameter such as a slope: a plain number in [low, high), else a ValueError saying what fits."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value < high:
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return float(value)
# --8<-- [end:validation]
# --8<-- [start:linear_step]


def identity(z):
    """Linear (identity) activation g(z) = z: the output layer for regression."""
    return _real(z)


def identity_grad(z):
    return np.ones_like(_real(z))                   # g'(z) = 1 everywhere


def step(z):
    """Heaviside step H(z) = 1 if z >= 0 else 0, eq. (2): the perceptron's threshold."""
    return (_real(z) >= 0).astype(np.float64)


def step_grad(z):
    """H'(z) = 0 for every z != 0 (and undefined at 0): nothing for gradient descent to follow."""
    return np.zeros_like(_real(z))
# --8<-- [end:linear_step]
# --8<-- [start:sigmoid_tanh]


def sigmoid(z):
    """σ(z) = 1 / (1 + e^-z), eq. (3), in the stable form of eq. (5): exp only ever sees -|z| <= 0."""
    z = _real(z)
    e = np.exp(-np.abs(z))                          # in (0, 1]: cannot overflow
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    """σ'(z) = σ(z)(1 - σ(z)), eq. (4); 1 - σ(z) is computed as σ(-z), which keeps its tiny values."""
    z = _real(z)
    return sigmoid(z) * sigmoid(-z)


def tanh(z):
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z) = 2σ(2z) - 1, eq. (7). NumPy's tanh is already stable."""
    return np.tanh(_real(z))


def tanh_grad(z):
    return 1.0 - np.tanh(_real(z)) ** 2             # eq. (6)
# --8<-- [end:sigmoid_tanh]
# --8<-- [start:relu_family]


def relu(z):
    """ReLU max(0, z), eq. (8): the default hidden activation."""
    return np.maximum(_real(z), 0.0)


def relu_grad(z):
    return (_real(z) > 0).astype(np.float64)       # 1 for z > 0, else 0; at z = 0 we pick 0, like PyTorch


def leaky_relu(z, negative_slope=0.01):
    """z for z > 0, negative_slope * z otherwise, eq. (9); 0.01 is PyTorch's default slope."""
    a, z = _number(negative_slope, "negative_slope", 0, 1, "a number in [0, 1)"), _real(z)
    return np.where(z > 0, z, a * z)


def leaky_relu_grad(z, negative_slope=0.01):
    a, z = _number(negative_slope, "negative_slope", 0, 1, "a number in [0, 1)"), _real(z)
    return np.where(z > 0, 1.0, a)                  # never exactly 0 when a > 0: no dead units


def elu(z, alpha=1.0):
    """z for z > 0, alpha (e^z - 1) otherwise, eq. (10); saturates to -alpha for very negative z."""
    a, z = _number(alpha, "alpha", 1e-12, math.inf, "a positive number"), _real(z)
    return np.where(z > 0, z, a * np.expm1(np.minimum(z, 0.0)))  # min(z, 0): no overflow in the unused branch


def elu_grad(z, alpha=1.0):
    a, z = _number(alpha, "alpha", 1e-12, math.inf, "a positive number"), _real(z)
    return np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0.0)))  # = elu(z) + alpha on the negative side
# --8<-- [end:relu_family]
# --8<-- [start:gelu]


_erfc = np.vectorize(math.erfc, otypes=[np.float64])   # NumPy has no erf; the standard library does
GELU_C = math.sqrt(2.0 / math.pi)                      # sqrt(2/π), slope-matches Φ at 0 (eq. 13)
GELU_A = 0.044715                                      # the cubic coefficient of Hendrycks & Gimpel


def _check_approximate(approximate):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"approximate must be 'none' or 'tanh' (as in F.gelu), got {approximate!r}")


def gelu(z, approximate="none"):
    """GELU z Φ(z), eq. (11); approximate="tanh" gives eq. (13), as in F.gelu(z, approximate="tanh")."""
    _check_approximate(approximate)
    z = _real(z)
    if approximate == "tanh":
        return 0.5 * z * (1.0 + np.tanh(GELU_C * (z + GELU_A * z ** 3)))
    Phi = 0.5 * _erfc(-z / math.sqrt(2.0))             # Φ(z) via erfc: accurate even where Φ is tiny
    return z * Phi


def gelu_grad(z, approximate="none"):
    """Eq. (12): Φ(z) + z φ(z); or, for the tanh form, eq. (14)."""
    _check_approximate(approximate)
    z = _real(z)
    if approximate == "tanh":
        t = np.tanh(GELU_C * (z + GELU_A * z ** 3))
        return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t ** 2) * GELU_C * (1.0 + 3.0 * GELU_A * z ** 2)
    phi = np.exp(-0.5 * z ** 2) / math.sqrt(2.0 * math.pi)   # the standard normal density φ(z)
    return 0.5 * _erfc(-z / math.sqrt(2.0)) + z * phi
# --8<-- [end:gelu]
# --8<-- [start:silu_softplus]


def silu(z):
    """SiLU / Swish z σ(z), eq. (15)."""
    z = _real(z)
    return z * sigmoid(z)


def silu_grad(z):
    z = _real(z)
    return sigmoid(z) * (1.0 + z * sigmoid(-z))    # eq. (16): σ(z)(1 + z(1 - σ(z)))


def softplus(z):
    """log(1 + e^z) = max(z, 0) + log(1 + e^-|z|), eq. (17): a smooth ReLU, exact and finite for any z."""
    z = _real(z)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def softplus_grad(z):
    return sigmoid(z)                               # eq. (18): the derivative of softplus is the sigmoid
# --8<-- [end:silu_softplus]
# --8<-- [start:table]


ACTIVATIONS = {  # name -> (g, g'): every elementwise activation of this page with its derivative
    "identity": (identity, identity_grad), "step": (step, step_grad), "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad), "relu": (relu, relu_grad), "leaky_relu": (leaky_relu, leaky_relu_grad),
    "elu": (elu, elu_grad), "gelu": (gelu, gelu_grad),
    "gelu tanh": (lambda z: gelu(z, "tanh"), lambda z: gelu_grad(z, "tanh")),
    "silu": (silu, silu_grad), "softplus": (softplus, softplus_grad)}
# --8<-- [end:table]
# --8<-- [start:softmax]


def softmax(Z, axis=-1):
    """Softmax along `axis` (the C logits of each row), eq. (19), computed as eq. (21): subtract the max."""
    Z = _real(Z, "logits Z")
    if Z.ndim == 0 or Z.shape[axis] == 0:
        raise ValueError(f"logits Z must have shape (..., C) with C >= 1 along axis {axis}, got {Z.shape}")
    E = np.exp(Z - Z.max(axis=axis, keepdims=True))  # every exponent <= 0, the largest term is exactly 1
    return E / E.sum(axis=axis, keepdims=True)       # the sum lies in [1, C]: never 0, never inf


def softmax_jacobian(z):
    """The C x C Jacobian ∂s_i/∂z_j = s_i (δ_ij - s_j) = diag(s) - s sᵀ of s = softmax(z), eq. (22)."""
    z = _real(z, "z")
    if z.ndim != 1:
        raise ValueError(f"z must be one vector of logits with shape (C,), got shape {z.shape}")
    s = softmax(z)                                   # (C,)
    return np.diag(s) - np.outer(s, s)              # (C, C), symmetric


def softmax_vjp(S, G):
    """Backprop through softmax, eq. (23): ∂L/∂Z = S ⊙ (G - rowsum(G ⊙ S)), in O(C) per row, no C x C matrix.

    S: the softmax output (N, C) (or (C,)); G = ∂L/∂S, the same shape.
    """
    S, G = _real(S, "S"), _real(G, "G")
    if S.shape != G.shape or S.ndim == 0:
        raise ValueError(f"S and G must have the same shape (N, C), got {S.shape} and {G.shape}")
    return S * (G - np.sum(G * S, axis=-1, keepdims=True))
# --8<-- [end:softmax]
# --8<-- [start:naive]


def naive_softmax(Z):
    """Eq. (19) as written, without the max shift: e^z overflows for z > ~709 in float64."""
    with np.errstate(over="ignore", invalid="ignore"):   # show the inf/nan, not a warning
        E = np.exp(np.asarray(Z, dtype=np.float64))
        return E / E.sum(axis=-1, keepdims=True)


def naive_sigmoid(z):
    """σ(z) written as e^z / (1 + e^z): inf / inf = nan for large z."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(np.asarray(z, dtype=np.float64))
        return e / (1.0 + e)
# --8<-- [end:naive]
# --8<-- [start:dead_relu]


def neuron_grads(X, w, b, delta, g_grad=relu_grad):
    """∂J/∂w (d,) and ∂J/∂b of one neuron a = g(X w + b), given delta = ∂J/∂a (N,): eqs. (1) and (25)."""
    z = _real(X, "X") @ _real(w, "w") + b           # (N,) pre-activations, one per example
    dz = _real(delta, "delta") * g_grad(z)          # eq. (1): elementwise, so just multiply by g'(z)
    return X.T @ dz, dz.sum()                       # (d,), scalar


def dead_fraction(Z):
    """The fraction of ReLU units (columns of Z (N, m)) whose pre-activation is <= 0 on every example."""
    return float(np.mean(np.all(_real(Z, "Z") <= 0, axis=0)))
# --8<-- [end:dead_relu]
# --8<-- [start:exercise_tanh]


def tanh_grad_via_sigmoid(z):
    """Exercise 1: tanh(z) = 2σ(2z) - 1, so tanh'(z) = 2 · σ'(2z) · 2 = 4σ'(2z) by the chain rule."""
    return 4.0 * sigmoid_grad(2.0 * _real(z))
# --8<-- [end:exercise_tanh]
# --8<-- [start:exercise_swish]


def swish(z, beta=1.0):
    """Exercise 2: Swish z σ(βz); β = 1 is SiLU, β -> ∞ tends to ReLU, β = 0 gives the line z / 2."""
    z = _real(z)
    return z * sigmoid(beta * z)
# --8<-- [end:exercise_swish]
# --8<-- [start:exercise_revive]


def train_one_neuron(g, g_grad, b0=-4.0, lr=0.5, steps=200, seed=0):
    """Exercise 3: gradient descent on MSE for one neuron a = g(X w + b) that starts dead (b0 << 0).

    Returns the bias after each step: with ReLU it never moves; with leaky ReLU it climbs back.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(64, 2))                     # (N, d)
    y = relu(X @ np.array([1.0, -1.0]) + 1.0)        # (N,) targets from a live neuron
    w, b, history = np.array([0.5, -0.5]), b0, []
    for _ in range(steps):
        a = g(X @ w + b)                             # (N,)
        delta = 2.0 * (a - y) / len(y)               # ∂J/∂a for J = mean((a - y)^2)
        dw, db = neuron_grads(X, w, b, delta, g_grad)
        w, b = w - lr * dw, b - lr * db
        history.append(b)
    return np.array(history)
# --8<-- [end:exercise_revive]
# --8<-- [start:exercise_gelu_sigmoid]


def approximation_errors(z=np.linspace(-6, 6, 1201)):
    """Exercise 4: max |GELU - approximation| on a grid, for the tanh form of eq. (13) and for Φ(z) replaced
    by σ(k z), i.e. swish(z, k), with Hendrycks & Gimpel's k = 1.702 and with k = √(8/π) (slope-matched at 0)."""
    exact, k = gelu(z), math.sqrt(8 / math.pi)
    return {"tanh form, eq. (13)": np.abs(gelu(z, "tanh") - exact).max(),
            "swish(z, 1.702)": np.abs(swish(z, 1.702) - exact).max(),
            f"swish(z, √(8/π)), √(8/π) = {k:.4f}": np.abs(swish(z, k) - exact).max()}
# --8<-- [end:exercise_gelu_sigmoid]


# --8<-- [start:torch_way]


TORCH = {  # name -> (what PyTorch calls it, the PyTorch function)
    "identity": ("nn.Identity()", nn.Identity()), "step": ("torch.heaviside", lambda t: torch.heaviside(t, t ** 0)),
    "sigmoid": ("torch.sigmoid", torch.sigmoid), "tanh": ("torch.tanh", torch.tanh), "relu": ("F.relu", F.relu),
    "leaky_relu": ("F.leaky_relu", F.leaky_relu), "elu": ("F.elu", F.elu), "gelu": ("F.gelu", F.gelu),
    "gelu tanh": ('F.gelu(approximate="tanh")', lambda t: F.gelu(t, approximate="tanh")),
    "silu": ("F.silu", F.silu), "softplus": ("F.softplus", F.softplus)}


def torch_values_and_grads(z):
    """name -> (value, autograd derivative) of each PyTorch activation at the points z (float64)."""
    z = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    out = {}
    for name, (_, f) in TORCH.items():
        a = f(z)                                     # elementwise: a_i depends on z_i only, so
        grad = None if name == "step" else torch.autograd.grad(a.sum(), z)[0]  # ∂(Σ a_i)/∂z_j = g'(z_j)
        out[name] = (a.detach().numpy(), None if grad is None else grad.numpy())  # heaviside: no autograd
    return out
# --8<-- [end:torch_way]


def plot_families():
    """Intuition figure: the squashing functions (left) and the rectifiers (right)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    z = np.linspace(-4, 3, 71)
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(7, 3))
    ax0.plot([-4, 0, 0, 3], [0, 0, 1, 1], "k:", label="step")
    for name in ("sigmoid", "tanh"):
        ax0.plot(z, ACTIVATIONS[name][0](z), label=name)
    ax0.set(title="squashing: bounded outputs", xlabel="z", ylim=(-1.2, 1.2))
    curves = [("relu", relu(z)), ("leaky (slope 0.1)", leaky_relu(z, 0.1)), ("elu", elu(z)),
              ("gelu", gelu(z)), ("silu", silu(z)), ("softplus", softplus(z))]
    for label, a in curves:
        ax1.plot(z, a, label=label, lw=1.3)
    ax1.set(title="rectifiers: ~0 on the left, ~z on the right", xlabel="z", ylim=(-1.2, 3))
    for ax in (ax0, ax1):
        ax.axhline(0, color="0.8", lw=0.6, zorder=0)
        ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig


def plot_grid():
    """The math figure: each elementwise function (solid) and its derivative (dashed) on z in [-4, 4]."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    z = np.linspace(-4, 4, 61)                       # includes z = 0 exactly
    names = [n for n in ACTIVATIONS if n != "gelu tanh"]
    fig, axes = plt.subplots(2, 5, figsize=(9, 3.8), sharex=True, sharey=True)
    for ax, name in zip(axes.ravel(), names):
        g, g_grad = ACTIVATIONS[name]
        if name == "leaky_relu":                     # slope 0.1 instead of 0.01, so that it shows
            g, g_grad, name = (lambda z: leaky_relu(z, 0.1)), (lambda z: leaky_relu_grad(z, 0.1)), "leaky_relu (0.1)"
        a, d = g(z), g_grad(z)
        if name in ("step", "relu", "leaky_relu (0.1)"):   # no derivative at 0: break the dashed line there
            d[z == 0] = np.nan
        ax.plot(*(([-4, 0, 0, 4], [0, 0, 1, 1]) if name == "step" else (z, a)), "C0")   # the jump drawn upright
        ax.plot(z, d, "C3--")
        ax.set_title(name, fontsize=9)
        ax.set_ylim(-1.5, 2.5)
        ax.axhline(0, color="0.85", lw=0.6, zorder=0)
        ax.tick_params(labelsize=7)
    axes[0, 0].legend(["g(z)", "g'(z)"], fontsize=7, frameon=False)
    fig.tight_layout()
    return fig


def _max_diff(a, b):
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))


def _finite_diff(g, z, h=1e-6):
    return (g(z + h) - g(z - h)) / (2 * h)           # central differences: error O(h^2)


def check():
    """Print, for every from-scratch function, the max |difference| against PyTorch (float64)."""
    z = 3.0 * np.random.default_rng(0).normal(size=200)
    z = z[np.abs(z) > 1e-3]                          # stay off the kinks of step, ReLU and leaky ReLU
    print(f"{'function':12} {'PyTorch':28} {'value':>8} {'g vs autograd':>14} {'g vs finite diff':>17}")
    for name, (a, grad) in torch_values_and_grads(z).items():
        g, g_grad = ACTIVATIONS[name]
        auto = "no autograd" if grad is None else f"{_max_diff(g_grad(z), grad):.1e}"
        print(f"{name:12} {TORCH[name][0]:28} {_max_diff(g(z), a):8.1e} {auto:>14} "
              f"{_max_diff(g_grad(z), _finite_diff(g, z)):17.1e}")
    Z, G = np.random.default_rng(1).normal(size=(2, 4, 5))   # (N, C) logits and upstream gradients
    Zt = torch.tensor(Z, requires_grad=True)
    S = torch.softmax(Zt, dim=-1)
    (dZ,) = torch.autograd.grad(S, Zt, grad_outputs=torch.tensor(G))
    J_torch = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, dim=-1), torch.tensor(Z[0]))
    J_fd = np.column_stack([_finite_diff(lambda v: softmax(Z[0] + v * e), 0.0) for e in np.eye(5)])
    print(f"{'softmax':12} {'torch.softmax':28} {_max_diff(softmax(Z), S.detach()):8.1e}")
    print(f"{'jacobian':12} {'autograd.functional.jacobian':28} {_max_diff(softmax_jacobian(Z[0]), J_torch):8.1e}"
          f" {'':>14} {_max_diff(softmax_jacobian(Z[0]), J_fd):17.1e}")
    print(f"{'softmax_vjp':12} {'autograd (grad_outputs=G)':28} {_max_diff(softmax_vjp(softmax(Z), G), dZ):8.1e}")
    z = np.array([-1e4, -50.0, 0.0, 50.0, 1e4])
    print("\nat z = [-1e4, -50, 0, 50, 1e4]: all finite, max |ours - PyTorch| (value, gradient)")
    theirs = torch_values_and_grads(z)
    for name in ("sigmoid", "tanh", "elu", "gelu", "silu", "softplus"):
        (g, g_grad), (a, grad) = ACTIVATIONS[name], theirs[name]
        finite = np.isfinite(g(z)).all() and np.isfinite(g_grad(z)).all()
        print(f"  {name:10} finite {finite!s:5}  {_max_diff(g(z), a):.1e}  {_max_diff(g_grad(z), grad):.1e}")
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    print(f"softmax of {Z.tolist()}:\n  stable {softmax(Z).tolist()}\n"
          f"  torch  {torch.softmax(torch.tensor(Z), dim=-1).tolist()}\n  naive  {naive_softmax(Z).tolist()}")


def saturation():
    print(f"{'z':>5} {'sigmoid_grad':>13} {'tanh_grad':>10} {'relu_grad':>10} {'gelu_grad':>10}")
    for z in [0.0, 2.0, 5.0, 10.0, 20.0, 40.0]:
        print(f"{z:5.0f} {sigmoid_grad(z):13.2e} {tanh_grad(z):10.2e} {relu_grad(z):10.0f} {gelu_grad(z):10.2e}")
    print("best case through L sigmoid layers, (1/4)^L:",
          ", ".join(f"L = {L}: {0.25 ** L:.1e}" for L in (5, 10, 20)))


# --8<-- [start:pitfalls]


def dead_layer_grads(seed=0):
    """A layer of 4 ReLU units whose unit 0 got bias -10: its weights get exactly zero gradient."""
    torch.manual_seed(seed)
    X, y = torch.randn(64, 3, dtype=torch.float64), torch.randn(64, 1, dtype=torch.float64)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).double()
    with torch.no_grad():
        model[0].bias[0] = -10.0                     # e.g. after one huge update: z < 0 for every input
    F.mse_loss(model(X), y).backward()
    Z = model[0](X).detach().numpy()                 # (64, 4) pre-activations
    return model[0].weight.grad.norm(dim=1).numpy(), dead_fraction(Z)


def no_gradient_through_step():
    """A hard threshold inside the graph: autograd has no derivative to give."""
    z = torch.tensor([-1.0, 2.0], requires_grad=True)
    messages = []
    for f in (lambda t: torch.heaviside(t, torch.ones_like(t)), lambda t: (t > 0).float()):
        try:
            f(z).sum().backward()
        except RuntimeError as error:
            messages.append(str(error).splitlines()[0])
    return messages


def softmax_wrong_axis():
    """nn.Softmax() with no dim on (B, T, C) picks dim=0 (the batch!): rows over C no longer sum to 1."""
    import warnings
    Z = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(0))   # (B, T, C)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")              # PyTorch warns "Implicit dimension choice ..."
        P = nn.Softmax()(Z)
    return P.sum(dim=-1), nn.Softmax(dim=-1)(Z).sum(dim=-1)
# --8<-- [end:pitfalls]


def pitfalls():
    Z = np.array([[1e4, -1e4, 0.0]])
    print("1. naive softmax at logits [1e4, -1e4, 0]:", naive_softmax(Z)[0], " stable:", softmax(Z)[0])
    print("   naive sigmoid e^z / (1 + e^z) at z = 1e4:", naive_sigmoid(1e4), " stable:", sigmoid(1e4))
    print(f"2. saturation: sigmoid_grad(10) = {sigmoid_grad(10.0):.1e}, tanh_grad(10) = {tanh_grad(10.0):.1e}")
    norms, dead = dead_layer_grads()
    print("3. dead ReLU: |grad| of each unit's weights:", norms.round(4), f"  dead fraction {dead}")
    for message in no_gradient_through_step():
        print("4. step in the graph:", message)
    wrong, right = softmax_wrong_axis()
    print("5. nn.Softmax() on (B, T, C), sums over C:", wrong.numpy().round(3).ravel(),
          " with dim=-1:", right.numpy().round(3).ravel())
    z = np.linspace(-6, 6, 1201)
    print(f"6. max |F.gelu exact - tanh form| on [-6, 6]: {_max_diff(gelu(z), gelu(z, 'tanh')):.1e}")


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        check()
    elif "--saturation" in sys.argv[1:]:
        saturation()
    elif "--pitfalls" in sys.argv[1:]:
        pitfalls()
    elif "--exercise" in sys.argv[1:] and sys.argv[-1] == "3":
        relu_b = train_one_neuron(relu, relu_grad)
        leaky_b = train_one_neuron(lambda z: leaky_relu(z, 0.1), lambda z: leaky_relu_grad(z, 0.1))
        print("step:              ", "  ".join(f"{k:>6}" for k in (1, 10, 50, 200)))
        for label, b in [("bias, ReLU", relu_b), ("bias, leaky (0.1)", leaky_b)]:
            print(f"{label:19}", "  ".join(f"{b[k - 1]:6.3f}" for k in (1, 10, 50, 200)))
    elif "--exercise" in sys.argv[1:] and sys.argv[-1] == "4":
        for label, err in approximation_errors().items():
            print(f"max |GELU - {label}| on [-6, 6]: {err:.1e}")
    else:
        # --8<-- [start:demo]
        z = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
        print("z =", z)
        for name, (g, g_grad) in ACTIVATIONS.items():
            print(f"{name:10} g = {np.round(g(z), 4)}\n{'':10} g' = {np.round(g_grad(z), 4)}")
        grid = np.linspace(-3, 0, 30001)                  # where GELU and SiLU dip below zero
        for name, g in [("gelu", gelu), ("silu", silu)]:
            a = g(grid)
            print(f"min {name}(z) = {a.min():.4f} at z = {grid[a.argmin()]:.3f}")
        print("softmax(z) =", softmax(z).round(4), " sum =", softmax(z).sum())
        # --8<-- [end:demo]
        print()
        # --8<-- [start:demo_torch]
        z = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
        for name, (a, grad) in torch_values_and_grads(z).items():
            print(f"{name:10} g = {a.round(4)}\n{'':10} g' = {'(no autograd)' if grad is None else grad.round(4)}")
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.Linear(8, 3))   # hidden GELU, 3 logits
        logits = model(torch.randn(2, 4))                                    # (N, C) = (2, 3)
        print("probabilities:", torch.softmax(logits, dim=-1).detach().numpy().round(3))
        # --8<-- [end:demo_torch]
