"""Loss functions from scratch in NumPy, each checked against PyTorch.

MSE, MAE and Huber for regression; binary cross-entropy (on probabilities and, stably, on logits);
categorical cross-entropy with one-hot targets and its sparse form with integer class indices; NLL of
log_softmax; KL divergence; label smoothing; binary and multi-class hinge. Every gradient is derived by
hand on the page and checked against torch.autograd and finite differences.

Page: docs/foundations/losses.md (topic 6). Papers: Huber (1964), "Robust estimation of a location
parameter"; Bridle (1990), probabilistic interpretation of softmax outputs; Kullback & Leibler (1951),
"On information and sufficiency"; Cortes & Vapnik (1995), "Support-vector networks"; Szegedy et al.
(2016), "Rethinking the Inception architecture" (label smoothing).

    python code/foundations/losses.py              # demo: the same losses in NumPy and in PyTorch
    python code/foundations/losses.py --pitfalls   # what the naive formulas do with large logits
    python code/foundations/losses.py --check      # max |difference| against PyTorch, float64
"""
import sys  # only the command line below uses it

# --8<-- [start:imports]
import numpy as np


# --8<-- [end:imports]

# --8<-- [start:torch_imports]
import torch
import torch.nn.functional as F
from torch import nn


# --8<-- [end:torch_imports]


# --8<-- [start:validation]
def _pair(a, b, names, ndim=None):
    """Two float64 arrays of the same non-empty shape. Same shape on purpose: an (N, 1) column minus
    an (N,) vector broadcasts to (N, N) and silently gives a wrong loss."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{names[0]} must be {ndim}-D with shape (N, C), got shape {a.shape}")
    if a.shape != b.shape:
        raise ValueError(f"{names[0]} and {names[1]} must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        raise ValueError(f"{names[0]} is empty: need at least one example (N >= 1)")
    return a, b


def _in_unit_interval(a, name):
    if np.any((a < 0) | (a > 1)):
        raise ValueError(f"{name} must lie in [0, 1], got values in [{a.min()}, {a.max()}]")


def _classes(Z, y):
    """Logits Z of shape (N, C) and integer class indices y of shape (N,) with values in [0, C)."""
    Z, y = np.asarray(Z, dtype=np.float64), np.asarray(y)
    if Z.ndim != 2 or Z.shape[0] == 0:
        raise ValueError(f"logits Z must be 2-D with shape (N, C) and N >= 1, got shape {Z.shape}")
    N, C = Z.shape
    if y.dtype.kind not in "iu":
        raise TypeError(f"targets y must be integer class indices (an integer dtype such as int64), got "
                        f"dtype {y.dtype}; for one-hot or probability targets use cross_entropy(Z, T)")
    if y.shape != (N,):
        raise ValueError(f"targets y must have shape (N,) = ({N},), got {y.shape}")
    bad = y[(y < 0) | (y >= C)]
    if bad.size:
        raise ValueError(f"targets y must be integer class indices in [0, C) = [0, {C}), got {bad[0]}")
    return Z, y


# --8<-- [end:validation]


# --8<-- [start:regression]
def mse(y_hat, y):
    """Mean squared error, eq. (2): the Gaussian negative log-likelihood up to constants."""
    y_hat, y = _pair(y_hat, y, ("y_hat", "y"))
    return np.mean((y_hat - y) ** 2)


def mse_grad(y_hat, y):
    """dJ/dy_hat of eq. (2): 2 (y_hat - y) / N, N = number of entries averaged over."""
    y_hat, y = _pair(y_hat, y, ("y_hat", "y"))
    return 2.0 * (y_hat - y) / y_hat.size


def mae(y_hat, y):
    """Mean absolute error, eq. (3): the Laplace negative log-likelihood up to constants."""
    y_hat, y = _pair(y_hat, y, ("y_hat", "y"))
    return np.mean(np.abs(y_hat - y))


def mae_grad(y_hat, y):
    """dJ/dy_hat of eq. (3): sign(y_hat - y) / N, the same push whatever the size of the error."""
    y_hat, y = _pair(y_hat, y, ("y_hat", "y"))
    return np.sign(y_hat - y) / y_hat.size


def huber(y_hat, y, delta=1.0):
    """Huber loss, eq. (4): r^2 / 2 for |r| <= delta, straight line of slope delta beyond."""
    y_hat, y = _pair(y_hat, y, ("y_hat", "y"))
    if delta <= 0:
        raise ValueError(f"delta must be > 0, got {delta}")
    r = np.abs(y_hat - y)
    return np.mean(np.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta)))


def huber_grad(y_hat, y, delta=1.0):
    """dJ/dy_hat of eq. (4): the residual clipped to [-delta, delta], over N."""
    y_hat, y = _pair(y_hat, y, ("y_hat", "y"))
    return np.clip(y_hat - y, -delta, delta) / y_hat.size


# --8<-- [end:regression]


# --8<-- [start:binary]
def softplus(z):
    """log(1 + e^z) = max(z, 0) + log(1 + e^-|z|), eq. (9): the exponent is never positive."""
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def sigmoid(z):
    """sigma(z) = 1 / (1 + e^-z) = exp(-softplus(-z)): no exp ever overflows."""
    return np.exp(-softplus(-np.asarray(z, dtype=np.float64)))


def binary_cross_entropy(p, y):
    """BCE on probabilities p, eq. (7). The textbook form; use bce_with_logits in practice."""
    p, y = _pair(p, y, ("probabilities p", "targets y"))
    _in_unit_interval(p, "probabilities p")
    _in_unit_interval(y, "targets y")
    return -np.mean(y * np.log(p) + (1 - y) * np.log1p(-p))


def bce_with_logits(z, y):
    """BCE from logits z, eqs. (8)-(9): max(z, 0) - z y + log(1 + e^-|z|), finite for any z."""
    z, y = _pair(z, y, ("logits z", "targets y"))
    _in_unit_interval(y, "targets y")
    # (max(z,0) - z y) first: for y = 1 and large z it is exactly 0 and the tiny log1p term survives
    return np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z))))


def bce_with_logits_grad(z, y):
    """dJ/dz of the mean of eq. (8): (sigmoid(z) - y) / N, eq. (10)."""
    z, y = _pair(z, y, ("logits z", "targets y"))
    return (sigmoid(z) - y) / z.size


# --8<-- [end:binary]


# --8<-- [start:softmax]
def log_softmax(Z):
    """log p_c = z_c - m - log sum_k exp(z_k - m), eq. (14), m = row max: exp never sees a positive number."""
    Z = np.asarray(Z, dtype=np.float64)                               # (N, C)
    m = Z.max(axis=1, keepdims=True)                                  # (N, 1)
    return Z - m - np.log(np.exp(Z - m).sum(axis=1, keepdims=True))   # (N, C); the sum is in [1, C]


def softmax(Z):
    """p = softmax(z) row by row, eq. (11), from the stable log_softmax."""
    return np.exp(log_softmax(Z))                                     # (N, C), rows sum to 1


def one_hot(y, C):
    """(N,) class indices -> (N, C) rows with a single 1: the dense form of sparse targets."""
    _, y = _classes(np.zeros((np.size(y), C)), y)
    T = np.zeros((y.size, C))                                         # (N, C)
    T[np.arange(y.size), y] = 1.0
    return T


# --8<-- [end:softmax]


# --8<-- [start:cross_entropy]
def cross_entropy(Z, T):
    """Categorical cross-entropy, eq. (12): logits Z (N, C), one-hot or probability targets T (N, C)."""
    Z, T = _pair(Z, T, ("logits Z", "targets T"), ndim=2)
    return -np.mean(np.sum(T * log_softmax(Z), axis=1))


def nll_loss(log_P, y):
    """Negative log-likelihood: mean over N of -log p_y, given log-probabilities log_P (N, C)."""
    log_P, y = _classes(log_P, y)
    return -np.mean(log_P[np.arange(y.size), y])                      # pick one entry per row


def sparse_cross_entropy(Z, y, label_smoothing=0.0):
    """Sparse categorical cross-entropy, eq. (13): integer targets y (N,), no one-hot matrix built.
    label_smoothing = eps gives eq. (20), the same number as F.cross_entropy(..., label_smoothing=eps)."""
    Z, y = _classes(Z, y)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    log_P = log_softmax(Z)                                            # (N, C)
    # np.mean over all N*C entries = mean over n of (1/C) sum_c log p_c: the uniform part of eq. (20)
    return (1 - label_smoothing) * nll_loss(log_P, y) - label_smoothing * np.mean(log_P)


def cross_entropy_grad(Z, T):
    """dJ/dZ of the mean cross-entropy, eqs. (15)-(16): (softmax(Z) - T) / N."""
    Z, T = _pair(Z, T, ("logits Z", "targets T"), ndim=2)
    sums = T.sum(axis=1)
    if not np.allclose(sums, 1.0):
        raise ValueError(f"each row of targets T must sum to 1 (eq. (15) uses it), got row sums {sums}")
    return (softmax(Z) - T) / Z.shape[0]                              # (N, C)


# --8<-- [end:cross_entropy]


# --8<-- [start:label_smoothing]
def smooth_labels(y, C, eps):
    """Smoothed targets, eq. (19): (1 - eps) one_hot(y) + eps / C. Rows still sum to 1."""
    return (1.0 - eps) * one_hot(y, C) + eps / C                      # (N, C)


# --8<-- [end:label_smoothing]


# --8<-- [start:kl]
def _xlogx_safe_log(P):
    return np.log(np.where(P > 0, P, 1.0))      # log 1 = 0 where p = 0: the convention 0 log 0 = 0


def entropy(P):
    """H(p) = -sum_c p_c log p_c per row, mean over the N rows of P (N, C)."""
    P = np.asarray(P, dtype=np.float64)
    return -np.mean(np.sum(P * _xlogx_safe_log(P), axis=1))


def kl_divergence(P, Q):
    """KL(P || Q) = sum_c p_c log(p_c / q_c), mean over the N rows, eq. (17).
    PyTorch: F.kl_div(Q.log(), P, reduction="batchmean"): the model's LOG-probabilities come first."""
    P, Q = _pair(P, Q, ("P", "Q"), ndim=2)
    return np.mean(np.sum(P * (_xlogx_safe_log(P) - np.log(Q)), axis=1))


# --8<-- [end:kl]


# --8<-- [start:hinge]
def hinge(z, y):
    """Binary hinge loss, eq. (21): max(0, 1 - y z), labels y in {-1, +1}, mean over N."""
    z, y = _pair(z, y, ("scores z", "labels y"))
    if not np.all(np.abs(y) == 1):
        raise ValueError(f"labels y must be -1 or +1 for the hinge loss, got values {np.unique(y)}; "
                         "map 0/1 labels with 2*y - 1")
    return np.mean(np.maximum(0.0, 1.0 - y * z))


def multi_margin(Z, y, margin=1.0):
    """Multi-class hinge as in nn.MultiMarginLoss, eq. (22): (1/C) sum_{c != y} max(0, margin - z_y + z_c)."""
    Z, y = _classes(Z, y)
    N, C = Z.shape
    z_y = Z[np.arange(N), y][:, None]                                 # (N, 1) score of the true class
    L = np.maximum(0.0, margin - z_y + Z)                             # (N, C)
    L[np.arange(N), y] = 0.0                                          # the true class is no rival to itself
    return np.mean(L.sum(axis=1) / C)


# --8<-- [end:hinge]


# --8<-- [start:naive]
def naive_bce_from_logits(z, y):
    """What people write first: sigmoid, then log. Gives inf or nan once |z| is a few dozen."""
    z, y = np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # show the inf/nan, not a warning
        p = 1.0 / (1.0 + np.exp(-z))                                  # rounds to exactly 0.0 or 1.0
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))      # log(0) = -inf; 0 * -inf = nan


def naive_cross_entropy(Z, y):
    """softmax without the max shift, then log: exp(1e4) = inf, and inf / inf = nan."""
    Z = np.asarray(Z, dtype=np.float64)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        E = np.exp(Z)                                                 # (N, C), may hold inf
        P = E / E.sum(axis=1, keepdims=True)
        return -np.mean(np.log(P[np.arange(len(y)), y]))


# --8<-- [end:naive]


# --8<-- [start:example]
def example_batch():
    """A tiny batch: N = 4 examples, C = 3 classes."""
    Z = np.array([[2.0, 1.0, -1.0],
                  [0.5, 2.5, 0.0],
                  [-1.0, 0.0, 3.0],
                  [1.0, 1.0, 1.0]])                  # (N, C) logits: raw scores of the last layer
    y = np.array([0, 1, 1, 2], dtype=np.int64)     # (N,) class indices: the "sparse" targets
    return Z, y


# --8<-- [end:example]


# --8<-- [start:ex_two_class]
def bce_as_two_class_softmax(z, y):
    """Exercise 2: BCE with logits z equals softmax cross-entropy over two classes with logits [0, z]."""
    z, y = np.asarray(z, dtype=np.float64), np.asarray(y)
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"labels y must be 0 or 1, got values {np.unique(y)}")
    Z = np.stack([np.zeros_like(z), z], axis=1)                       # (N, 2): class 0 gets logit 0
    return sparse_cross_entropy(Z, y.astype(np.int64))


# --8<-- [end:ex_two_class]


# --8<-- [start:ex_double_softmax]
def double_softmax_floor(C):
    """Exercise 3: the lowest loss CrossEntropyLoss can reach when fed softmax outputs instead of logits.
    Inputs in [0, 1] are at best (1, 0, ..., 0), whose cross-entropy is log(1 + (C - 1) / e)."""
    return np.log1p((C - 1) / np.e)


# --8<-- [end:ex_double_softmax]


# --8<-- [start:ex_smoothing]
def smoothing_optimal_logits(C, eps, y=0):
    """Exercise 4: logits (1, C) that minimise the label-smoothed loss for class y: the true class leads
    every other by log(1 + (1 - eps) C / eps). Finite, unlike the eps = 0 optimum at infinity."""
    Z = np.zeros((1, C))
    Z[0, y] = np.log1p((1 - eps) * C / eps)
    return Z


# --8<-- [end:ex_smoothing]


def plot_regression_losses():
    """MSE, MAE and Huber (delta = 1) of one example against its residual r = y_hat - y."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    r = np.linspace(-3, 3, 121)
    fig, (ax, ax_grad) = plt.subplots(1, 2, figsize=(7, 2.8))
    for name, f, g in [("MSE", mse, mse_grad), ("MAE", mae, mae_grad), ("Huber, δ = 1", huber, huber_grad)]:
        ax.plot(r, [f([ri], [0.0]) for ri in r], label=name)
        ax_grad.plot(r, [g([ri], [0.0])[0] for ri in r], label=name)
    ax.set(xlabel="residual r = ŷ − y", ylabel="loss", ylim=(0, 4.5), title="loss")
    ax_grad.set(xlabel="residual r = ŷ − y", title="gradient ∂loss/∂ŷ", ylim=(-3.2, 3.2))
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def plot_classification_losses():
    """Left: losses for a positive example against its logit. Right: naive vs stable BCE in float64."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    z = np.linspace(-3, 3, 121)
    fig, (ax, ax_naive) = plt.subplots(1, 2, figsize=(7, 2.8))
    ax.plot(z, [bce_with_logits([zi], [1.0]) for zi in z], label="BCE = log(1 + e^−z)")
    ax.plot(z, [hinge([zi], [1.0]) for zi in z], label="hinge = max(0, 1 − z)")
    ax.plot(z, (z < 0).astype(float), "k:", label="0–1 (errors)")
    ax.set(xlabel="logit z (true label y = 1)", ylabel="loss", ylim=(0, 3.5), title="losses of a positive example")
    ax.legend(frameon=False, fontsize=8)
    z = np.linspace(30, 40, 201)                                      # y = 0, confidently wrong
    naive = np.array([naive_bce_from_logits([zi], [0.0]) for zi in z])
    ax_naive.plot(z, [bce_with_logits([zi], [0.0]) for zi in z], label="stable, eq. (9)")
    ax_naive.plot(z, np.where(np.isinf(naive), np.nan, naive), label="naive: log(1 − σ(z))")
    ax_naive.axvspan(z[np.isinf(naive)][0], z[-1], color="0.9", label="naive gives inf")
    ax_naive.set(xlabel="logit z (true label y = 0)", ylabel="loss", title="naive vs stable BCE, float64")
    ax_naive.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def _autograd(torch_loss, x, *rest):
    """The gradient torch.autograd gives of torch_loss(x, *rest) with respect to x, as NumPy."""
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    torch_loss(x, *[torch.as_tensor(r) for r in rest]).backward()
    return x.grad.numpy()


def _finite_diff(loss, x, *rest, h=1e-6):
    """Central differences (J(x + h e_i) - J(x - h e_i)) / 2h for every entry i of x."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (loss(x + e, *rest) - loss(x - e, *rest)) / (2 * h)
    return g


def check():
    """Print, for every from-scratch function, the max |difference| against PyTorch (float64)."""
    rng = np.random.default_rng(0)
    y_hat, y_reg = rng.normal(size=6), rng.normal(size=6)
    z, y_bin, p = rng.normal(size=6), rng.uniform(size=6), rng.uniform(0.05, 0.95, size=6)
    Z, y = rng.normal(size=(5, 4)), rng.integers(0, 4, size=5)
    T, Q = smooth_labels(y, 4, 0.2), softmax(rng.normal(size=(5, 4)))
    t = lambda a: torch.as_tensor(np.asarray(a))                      # noqa: E731 (NumPy -> torch, float64)
    rows = [  # (ours, value, torch name, torch value)
        ("mse", mse(y_hat, y_reg), "F.mse_loss", F.mse_loss(t(y_hat), t(y_reg))),
        ("mae", mae(y_hat, y_reg), "F.l1_loss", F.l1_loss(t(y_hat), t(y_reg))),
        ("huber", huber(y_hat, y_reg, 0.5), "F.huber_loss", F.huber_loss(t(y_hat), t(y_reg), delta=0.5)),
        ("sigmoid", sigmoid(z), "torch.sigmoid", torch.sigmoid(t(z))),
        ("softplus", softplus(z), "F.softplus", F.softplus(t(z))),
        ("binary_cross_entropy", binary_cross_entropy(p, y_bin), "F.binary_cross_entropy",
         F.binary_cross_entropy(t(p), t(y_bin))),
        ("bce_with_logits", bce_with_logits(z, y_bin), "F.binary_cross_entropy_with_logits",
         F.binary_cross_entropy_with_logits(t(z), t(y_bin))),
        ("log_softmax", log_softmax(Z), "F.log_softmax", F.log_softmax(t(Z), dim=1)),
        ("cross_entropy (one-hot T)", cross_entropy(Z, one_hot(y, 4)), "F.cross_entropy (float T)",
         F.cross_entropy(t(Z), t(one_hot(y, 4)))),
        ("sparse_cross_entropy", sparse_cross_entropy(Z, y), "F.cross_entropy (int64 y)",
         F.cross_entropy(t(Z), t(y))),
        ("nll_loss(log_softmax)", nll_loss(log_softmax(Z), y), "F.nll_loss(F.log_softmax)",
         F.nll_loss(F.log_softmax(t(Z), dim=1), t(y))),
        ("sparse_ce, smoothing 0.2", sparse_cross_entropy(Z, y, 0.2), "F.cross_entropy(label_smoothing=0.2)",
         F.cross_entropy(t(Z), t(y), label_smoothing=0.2)),
        ("kl_divergence(T, Q)", kl_divergence(T, Q), "F.kl_div(Q.log(), T, 'batchmean')",
         F.kl_div(t(Q).log(), t(T), reduction="batchmean")),
        ("hinge", hinge(z, np.sign(z - 0.3)), "clamp(1 - y z, min=0).mean()",
         torch.clamp(1 - t(np.sign(z - 0.3)) * t(z), min=0).mean()),
        ("multi_margin", multi_margin(Z, y), "F.multi_margin_loss", F.multi_margin_loss(t(Z), t(y))),
    ]
    print(f"{'from scratch':26} {'PyTorch':38} max |diff|")
    for ours, value, name, theirs in rows:
        print(f"{ours:26} {name:38} {np.max(np.abs(value - theirs.numpy())):.1e}")
    _check_gradients(y_hat, y_reg, z, y_bin, Z, y, T)
    _check_extremes()


def _check_gradients(y_hat, y_reg, z, y_bin, Z, y, T):
    grads = [  # (name, hand-derived, autograd, finite differences)
        ("mse_grad", mse_grad(y_hat, y_reg), _autograd(F.mse_loss, y_hat, y_reg), _finite_diff(mse, y_hat, y_reg)),
        ("mae_grad", mae_grad(y_hat, y_reg), _autograd(F.l1_loss, y_hat, y_reg), _finite_diff(mae, y_hat, y_reg)),
        ("huber_grad", huber_grad(y_hat, y_reg), _autograd(F.huber_loss, y_hat, y_reg),
         _finite_diff(huber, y_hat, y_reg)),
        ("bce_with_logits_grad", bce_with_logits_grad(z, y_bin),
         _autograd(F.binary_cross_entropy_with_logits, z, y_bin), _finite_diff(bce_with_logits, z, y_bin)),
        ("cross_entropy_grad (one-hot)", cross_entropy_grad(Z, one_hot(y, 4)), _autograd(F.cross_entropy, Z, y),
         _finite_diff(sparse_cross_entropy, Z, y)),
        ("cross_entropy_grad (smoothed)", cross_entropy_grad(Z, T),
         _autograd(lambda a, b: F.cross_entropy(a, b, label_smoothing=0.2), Z, y), _finite_diff(cross_entropy, Z, T)),
    ]
    print(f"\n{'hand-derived gradient':30} {'vs autograd':>12} {'vs finite diff':>15}")
    for name, ours, auto, fd in grads:
        print(f"{name:30} {np.max(np.abs(ours - auto)):12.1e} {np.max(np.abs(ours - fd)):15.1e}")


def _check_extremes():
    Z, y = np.array([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]]), np.array([1, 0])
    z, y_bin = np.array([1e4, -1e4, 1e4, -1e4]), np.array([0.0, 1.0, 1.0, 0.0])
    ce_torch = F.cross_entropy(torch.tensor(Z), torch.tensor(y)).item()
    bce_torch = F.binary_cross_entropy_with_logits(torch.tensor(z), torch.tensor(y_bin)).item()
    # exact: row 1 loses 1e4 - (-1e4) = 2e4, row 2 loses ~0, so the mean is 1e4; BCE: (1e4 + 1e4 + 0 + 0) / 4
    print("\nlogits of ±1e4        stable      PyTorch     exact       naive")
    print(f"sparse_cross_entropy  {sparse_cross_entropy(Z, y):<11.1f} {ce_torch:<11.1f} {1e4:<11.1f} "
          f"{naive_cross_entropy(Z, y)}")
    print(f"bce_with_logits       {bce_with_logits(z, y_bin):<11.1f} {bce_torch:<11.1f} {5e3:<11.1f} "
          f"{naive_bce_from_logits(z, y_bin)}")


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        check()
    elif "--pitfalls" in sys.argv[1:]:
        # --8<-- [start:demo_pitfalls]
        for z, y in [(1e4, 1.0), (-1e4, 1.0), (40.0, 0.0)]:              # right, wrong, wrong
            print(f"z = {z:>8}, y = {y}:  naive BCE {naive_bce_from_logits([z], [y]):>7}   "
                  f"stable BCE {bce_with_logits([z], [y]):.4g}")
        first_inf = next(k for k in range(1, 100) if np.isinf(naive_bce_from_logits([k], [0.0])))
        print(f"naive BCE with y = 0 is first inf at z = {first_inf}")
        Z = np.array([[1e4, -1e4, 0.0]])                                  # (1, 3) extreme logits
        for y in [np.array([0]), np.array([1])]:                          # right, wrong
            print(f"logits {Z[0]}, y = {y[0]}:  naive CE {naive_cross_entropy(Z, y):>7}   "
                  f"stable CE {sparse_cross_entropy(Z, y):.4g}")
        Z, y = 20.0 * np.eye(10)[:1], np.array([0])                      # a confident, correct prediction
        print(f"C = 10, confident and right: CE of logits {sparse_cross_entropy(Z, y):.2e}, CE of softmax(logits) "
              f"{sparse_cross_entropy(softmax(Z), y):.4f}, floor log(1 + 9/e) = {double_softmax_floor(10):.4f}")
        y_hat = y_reg = np.array([1.0, 2.0, 3.0])                         # a perfect prediction
        print(f"perfect y_hat as an (N, 1) column against y of shape (N,): "
              f"broadcast 'MSE' = {np.mean((y_hat[:, None] - y_reg) ** 2):.4f}, true MSE = {mse(y_hat, y_reg):.4f}")
        try:
            F.cross_entropy(torch.zeros(2, 3), torch.tensor([0.0, 2.0]))  # float class indices
        except RuntimeError as error:
            print(f"F.cross_entropy with float targets: {error}")
        # --8<-- [end:demo_pitfalls]
    else:
        # --8<-- [start:demo]
        Z, y = example_batch()
        T = one_hot(y, Z.shape[1])                                       # (N, C): the dense form of y
        print("softmax(Z) =\n", softmax(Z).round(4))
        print(f"sparse_cross_entropy(Z, y)        {sparse_cross_entropy(Z, y):.6f}")
        print(f"cross_entropy(Z, one_hot(y))      {cross_entropy(Z, T):.6f}")
        print(f"nll_loss(log_softmax(Z), y)       {nll_loss(log_softmax(Z), y):.6f}")
        print(f"label_smoothing = 0.1             {sparse_cross_entropy(Z, y, label_smoothing=0.1):.6f}")
        print("dJ/dZ = (softmax(Z) - T) / N =\n", cross_entropy_grad(Z, T).round(4))
        # --8<-- [end:demo]
        print()
        # --8<-- [start:demo_torch]
        Z, y = example_batch()
        Z, y = torch.from_numpy(Z).requires_grad_(), torch.from_numpy(y)  # float64 logits, int64 targets
        loss = nn.CrossEntropyLoss()(Z, y)            # sparse categorical CE: softmax inside, mean over N
        loss.backward()                               # Z.grad = (softmax(Z) - T) / N
        T = F.one_hot(y, num_classes=Z.shape[1]).to(Z.dtype)              # (N, C) float one-hot
        print(f"nn.CrossEntropyLoss()(Z, y)       {loss.item():.6f}")
        print(f"F.cross_entropy(Z, T)             {F.cross_entropy(Z, T).item():.6f}")
        print(f"F.nll_loss(F.log_softmax(Z), y)   {F.nll_loss(F.log_softmax(Z, dim=1), y).item():.6f}")
        print(f"label_smoothing=0.1               {F.cross_entropy(Z, y, label_smoothing=0.1).item():.6f}")
        print("Z.grad from autograd =\n", Z.grad.numpy().round(4))
        # --8<-- [end:demo_torch]
